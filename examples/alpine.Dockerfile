FROM alpine:3.20
ARG AMPPILOT=0.1.0
ARG AMPPILOT_RELEASES=https://github.com/amp-pilot/amp-pilot/releases/download
# busybox's wget and sha256sum: download, verify, install, and remove the download, in one layer
RUN cd /tmp && wget -q "$AMPPILOT_RELEASES/v$AMPPILOT/SHA256SUMS" \
      "$AMPPILOT_RELEASES/v$AMPPILOT/amp-pilot.alpine-$AMPPILOT.tgz" \
  && grep " amp-pilot.alpine-$AMPPILOT.tgz\$" SHA256SUMS | sha256sum -c - \
  && tar -xzf "amp-pilot.alpine-$AMPPILOT.tgz" amp-pilot.alpine \
  && ./amp-pilot.alpine --version \
  && rm amp-pilot.alpine* SHA256SUMS
HEALTHCHECK CMD ["/usr/local/bin/amp-pilot", "health"]
ENTRYPOINT ["/usr/local/bin/amp-pilot", "run", "--"]
CMD ["/your/app", "--flags"]

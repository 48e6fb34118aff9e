FROM debian:bookworm-slim AS amp-pilot
ARG AMPPILOT=0.1.0
ARG AMPPILOT_RELEASES=https://github.com/amp-pilot/amp-pilot/releases/download
# no wget or curl in debian-slim: ADD downloads, this stage verifies and unpacks
ADD $AMPPILOT_RELEASES/v$AMPPILOT/SHA256SUMS \
    $AMPPILOT_RELEASES/v$AMPPILOT/amp-pilot.amd64-$AMPPILOT.tgz /tmp/
RUN cd /tmp && grep " amp-pilot.amd64-$AMPPILOT.tgz\$" SHA256SUMS | sha256sum -c - \
  && tar -xzf "amp-pilot.amd64-$AMPPILOT.tgz"

FROM debian:bookworm-slim
COPY --from=amp-pilot /tmp/amp-pilot.amd64 /usr/local/bin/amp-pilot
COPY --from=amp-pilot /tmp/LICENSE /tmp/THIRD_PARTY_NOTICES.md /usr/local/share/doc/amp-pilot/
HEALTHCHECK CMD ["/usr/local/bin/amp-pilot", "health"]
ENTRYPOINT ["/usr/local/bin/amp-pilot", "run", "--"]
CMD ["/your/app", "--flags"]

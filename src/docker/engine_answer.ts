/**
 * Reads the engine's inspect answers into the shapes the loader uses. The engine is a peer: a
 * field of another type (a proxy in front of the socket, another engine, an API version of its
 * own) is left out with one warning line, never taken for garbage or thrown as a TypeError.
 *
 * @module
 */

import type { ContainerInfo, ImageInfo } from "./engine.ts";
import { isRecord, typeName as valueTypeName } from "../json_shape.ts";

/** The container, or undefined (with a warning) when the answer cannot be one. */
export function readContainer(json: unknown, warnings: string[]): ContainerInfo | undefined {
  if (!isRecord(json)) {
    warnings.push(`the container's answer is ${typeName(json)}, expected an object`);
    return undefined;
  }
  if (typeof json.Image !== "string" || json.Image === "") {
    warnings.push(`the container's Image is ${typeName(json.Image)}, expected an image id`);
    return undefined;
  }
  const read = fieldReader("the container's", warnings);
  const config = read.record(json.Config, "Config") ?? {};
  return {
    Id: read.string(json.Id, "Id") ?? "",
    Image: json.Image,
    Config: {
      Labels: read.stringRecord(config.Labels, "Config.Labels"),
      Healthcheck: {
        Test: read.strings(
          read.record(config.Healthcheck, "Config.Healthcheck")?.Test,
          "Config.Healthcheck.Test",
        ),
      },
      ExposedPorts: read.record(config.ExposedPorts, "Config.ExposedPorts"),
    },
  };
}

/** The image; its fields of another type left out, each with a warning. */
export function readImage(json: unknown, warnings: string[]): ImageInfo {
  const read = fieldReader("the image's", warnings);
  const image = read.record(json, "answer") ?? {};
  const config = read.record(image.Config, "Config") ?? {};
  return {
    Config: {
      Entrypoint: read.strings(config.Entrypoint, "Config.Entrypoint"),
      Cmd: read.strings(config.Cmd, "Config.Cmd"),
      ExposedPorts: read.record(config.ExposedPorts, "Config.ExposedPorts"),
      Healthcheck: {
        Test: read.strings(
          read.record(config.Healthcheck, "Config.Healthcheck")?.Test,
          "Config.Healthcheck.Test",
        ),
      },
    },
  };
}

/** Readers of one answer's fields: a missing or null field is absent, another type is warned of. */
function fieldReader(whose: string, warnings: string[]) {
  const wrong = (value: unknown, field: string, expected: string) => {
    if (value !== undefined && value !== null) {
      warnings.push(`${whose} ${field} is ${typeName(value)}, expected ${expected}; left out`);
    }
    return undefined;
  };
  return {
    record: (value: unknown, field: string): Record<string, unknown> | undefined =>
      isRecord(value) ? value : wrong(value, field, "an object"),
    string: (value: unknown, field: string): string | undefined =>
      typeof value === "string" ? value : wrong(value, field, "a string"),
    strings: (value: unknown, field: string): string[] | undefined =>
      Array.isArray(value) && value.every((v) => typeof v === "string")
        ? value
        : wrong(value, field, "a list of strings"),
    stringRecord: (value: unknown, field: string): Record<string, string> | undefined => {
      if (!isRecord(value)) return wrong(value, field, "an object");
      const kept = Object.entries(value).filter(([, v]) => typeof v === "string");
      if (kept.length < Object.keys(value).length) {
        warnings.push(`${whose} ${field} has values that are not strings; those are left out`);
      }
      return Object.fromEntries(kept) as Record<string, string>;
    },
  };
}

/** As the shared words, a list being "a list" and naming its first element that is no string. */
function typeName(value: unknown): string {
  if (!Array.isArray(value)) return valueTypeName(value);
  const odd = value.find((v) => typeof v !== "string");
  return odd === undefined ? "a list" : `a list holding ${typeName(odd)}`;
}

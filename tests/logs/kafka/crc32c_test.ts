import { equal } from "node:assert/strict";
import { crc32c } from "../../../src/logs/kafka/crc32c.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("crc32c() matches the published CRC-32C check values", () => {
  equal(crc32c(bytes("123456789")), 0xe3069283);
  equal(crc32c(new Uint8Array(0)), 0);
  // RFC 3720 (iSCSI), appendix B.4
  equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
});

Deno.test("crc32c() gives the bitwise value whatever the alignment and length", () => {
  const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff);
  for (let start = 0; start < 9; start++) {
    for (let length = 0; length < 40; length++) {
      const slice = data.subarray(start, start + length);
      equal(crc32c(slice), bitwise(slice), `${length} bytes at ${start}`);
    }
  }
});

function bitwise(bytes: Uint8Array): number {
  let slow = 0xffffffff;
  for (const byte of bytes) {
    slow ^= byte;
    for (let k = 0; k < 8; k++) slow = slow & 1 ? (slow >>> 1) ^ 0x82f63b78 : slow >>> 1;
  }
  return (slow ^ 0xffffffff) >>> 0;
}

Deno.test("crc32c() gives the same value whatever the length's remainder by 8", () => {
  const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff);
  for (let length = 0; length < 24; length++) {
    let slow = 0xffffffff;
    for (const byte of data.subarray(0, length)) {
      slow ^= byte;
      for (let k = 0; k < 8; k++) slow = slow & 1 ? (slow >>> 1) ^ 0x82f63b78 : slow >>> 1;
    }
    equal(crc32c(data.subarray(0, length)), (slow ^ 0xffffffff) >>> 0, `length ${length}`);
  }
});

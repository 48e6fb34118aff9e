// Counts the records of partition 0 of a topic whose value contains a marker, with the Java
// client: the independent reader behind the Kafka throughput figure (see tests/support/kafka.ts).
// Run as a single-file program: java -cp '<kafka libs>/*' RecordCounter.java <bootstrap>
// <warm-up topic> <topic> <marker> <count>. It first reads the warm-up topic to its end (so that
// its JIT is warm, as a long-running consumer's is), then prints "ready" once it has read a first
// record of the topic, and "counted <n>" as it goes.

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

public final class RecordCounter {
  public static void main(String[] args) {
    byte[] marker = args[3].getBytes(StandardCharsets.UTF_8);
    long target = Long.parseLong(args[4]);
    Properties properties = new Properties();
    properties.put("bootstrap.servers", args[0]);
    properties.put("key.deserializer", ByteArrayDeserializer.class.getName());
    properties.put("value.deserializer", ByteArrayDeserializer.class.getName());
    properties.put("enable.auto.commit", "false");
    properties.put("max.partition.fetch.bytes", "16777216");
    properties.put("fetch.max.bytes", "67108864");
    properties.put("max.poll.records", "10000");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
      TopicPartition warmUp = new TopicPartition(args[1], 0);
      consumer.assign(List.of(warmUp));
      consumer.seekToBeginning(List.of(warmUp));
      long warmUpEnd = consumer.endOffsets(List.of(warmUp)).get(warmUp);
      long warmUpCounted = 0;
      while (consumer.position(warmUp) < warmUpEnd) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (record.value() != null && contains(record.value(), marker)) warmUpCounted++;
        }
      }
      System.out.println("warm " + warmUpCounted);
      TopicPartition partition = new TopicPartition(args[2], 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      boolean ready = false;
      long counted = 0;
      while (counted < target) {
        long before = counted;
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (!ready) {
            System.out.println("ready");
            ready = true;
          }
          if (record.value() != null && contains(record.value(), marker)) counted++;
        }
        if (counted != before) System.out.println("counted " + counted);
        System.out.flush();
      }
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int at = 0; at + needle.length <= haystack.length; at++) {
      for (int i = 0; i < needle.length; i++) {
        if (haystack[at + i] != needle[i]) continue outer;
      }
      return true;
    }
    return false;
  }
}

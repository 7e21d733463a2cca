package io.streambert.demo;

/**
 * One record the demo sends to the input topic.
 *
 * @param id event id (also the record key)
 * @param value the record value as sent (usually an encoded TextEvent; a poison pill is raw junk)
 * @param description what it is, printed when sent
 * @param goodEvent true when the service should produce moderation and embedding results for it,
 *     false when it should land on the dead-letter topic
 */
public record DemoInput(String id, byte[] value, String description, boolean goodEvent) {}

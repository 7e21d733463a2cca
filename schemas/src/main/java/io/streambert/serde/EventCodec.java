package io.streambert.serde;

/**
 * Turns events of one type into bytes and back in one encoding. Implementations throw {@link
 * org.apache.kafka.common.errors.SerializationException} with a message that says what is wrong
 * with the bytes: the service puts that message on the dead-letter record as the reason. Null and
 * empty input are handled before a codec is called.
 */
interface EventCodec<T> {
    byte[] encode(String topic, T event);

    T decode(String topic, byte[] bytes);
}

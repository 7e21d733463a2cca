package io.streambert.service.deadletter;

/** Why a record went to the dead-letter topic: the DeadLetter.error_class codes. */
public enum Reason {
    /**
     * The value is null or its bytes are no known encoding (not Avro single-object, Confluent wire,
     * or parseable JSON).
     */
    UNDECODABLE,
    /**
     * The encoding is recognised but the content is not a TextEvent (wrong schema, missing or
     * mistyped field).
     */
    BAD_SCHEMA,
    /** The text is empty or only whitespace. */
    EMPTY_TEXT,
    /** The text's UTF-8 encoding is longer than text.max.bytes. */
    TEXT_TOO_LONG,
    /**
     * The tokenizer refused it: more tokens than the model takes, under model.truncation=reject.
     */
    TOO_MANY_TOKENS,
    /** The encoder failed on this record alone (its batch-mates were fine). */
    INFERENCE_FAILED,
    /**
     * The key, the whole value, the id or the attributes are larger than the input.max.* limits.
     */
    TOO_LARGE,
    /**
     * The record timestamp or event_time is outside years 1-9999 (what every output format can
     * carry).
     */
    BAD_TIMESTAMP
}

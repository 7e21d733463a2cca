package io.streambert.service.deadletter;

/** Why a record went to the dead-letter topic: the DeadLetter.error_class codes. */
public enum Reason {
    /**
     * The value is null or empty, or its bytes are no known encoding: the first bytes open neither
     * Avro single-object, Confluent wire nor a JSON object, or the JSON is not well-formed.
     */
    UNDECODABLE,
    /**
     * The encoding is recognised but the content is not a valid TextEvent: wrong schema, a missing
     * or mistyped field, or a string that is not Unicode (invalid UTF-8 bytes or an escaped lone
     * surrogate, in any field). The message names the field.
     */
    BAD_SCHEMA,
    /**
     * The text shows nothing: empty, or only Unicode whitespace and default-ignorable code points
     * ({@code io.streambert.engine.EmptyText}).
     */
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
     * The key, the whole value, the id, the attributes or the headers to copy are larger than the
     * input.max.* limits.
     */
    TOO_LARGE,
    /**
     * The record timestamp or event_time is outside years 1-9999 (what every output format can
     * carry).
     */
    BAD_TIMESTAMP
}

package io.streambert.serde.json;

/**
 * A JSON value that does not fit the schema, with the path of the field (e.g.
 * "TextEvent.attributes.lang").
 */
public final class JsonFieldException extends RuntimeException {
    private final String path;

    public JsonFieldException(String path, String problem) {
        super("field " + path + " " + problem);
        this.path = path;
    }

    public String path() {
        return path;
    }
}

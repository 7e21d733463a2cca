package io.streambert.serde.registry;

import java.util.regex.Pattern;

/**
 * Masks the credentials a URL can carry, for logs and messages: the user-info part ({@code
 * http://user:pw@host} becomes {@code http://***@host}) and every query parameter's value ({@code
 * ?api_key=x} becomes {@code ?api_key=***}). Works on any string, also one that is not a valid URL
 * or is a comma-separated list of URLs, so a malformed value can still be logged safely.
 */
public final class UrlRedaction {
    private static final Pattern USER_INFO = Pattern.compile("(?<=://)[^/?#\\s,]*@");
    private static final Pattern QUERY_VALUE = Pattern.compile("([?&;][^=&;#\\s,]*)=[^&;#\\s,]*");

    private UrlRedaction() {}

    public static String redact(String url) {
        if (url == null) {
            return null;
        }
        String s = USER_INFO.matcher(url).replaceAll("***@");
        return QUERY_VALUE.matcher(s).replaceAll("$1=***");
    }
}

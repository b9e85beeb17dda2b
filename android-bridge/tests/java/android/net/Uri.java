package android.net;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Double of {@code android.net.Uri} (API 1): abstract like the real class, backed by its
 * string form.
 */
public abstract class Uri {
    private static final String HEX = "0123456789ABCDEF";
    /** Android's unreserved characters: never encoded by {@link #encode(String)}. */
    private static final String ALLOWED = "_-!.~'()*";

    private Uri() {}

    /** API 1. */
    public static Uri parse(String uriString) {
        if (uriString == null) {
            throw new NullPointerException("uriString");
        }
        return new StringUri(uriString);
    }

    /**
     * API 1. Like Android: appends "/" and the (already encoded) segment to the path.
     */
    public static Uri withAppendedPath(Uri baseUri, String pathSegment) {
        String base = baseUri.toString();
        return new StringUri(base.endsWith("/") ? base + pathSegment : base + "/" + pathSegment);
    }

    /**
     * API 1. Like Android: every character except letters, digits and {@code _-!.~'()*} as
     * {@code %XX} of its UTF-8 bytes, upper-case hex ("+" is "%2B", " " is "%20").
     */
    public static String encode(String s) {
        if (s == null) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || ALLOWED.indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(HEX.charAt((b >> 4) & 0xf)).append(HEX.charAt(b & 0xf));
            }
        }
        return out.toString();
    }

    /** API 1. */
    public static String decode(String s) {
        if (s == null) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                bytes.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(encoded, 0, encoded.length);
            }
        }
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }


    /** API 1. */
    @Override
    public abstract String toString();

    @Override
    public boolean equals(Object other) {
        return other instanceof Uri && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }

    private static final class StringUri extends Uri {
        private final String text;

        StringUri(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }
}

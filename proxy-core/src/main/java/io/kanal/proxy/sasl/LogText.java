package io.kanal.proxy.sasl;

/** Text a client chose (user names, mechanism names), made safe for a log line. */
final class LogText {

    private static final int MAX_LENGTH = 64;

    private LogText() {
    }

    /** At most 64 characters, with control characters (line breaks that could forge log lines) as {@code ?}. */
    static String printable(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder safe = new StringBuilder(Math.min(text.length(), MAX_LENGTH + 3));
        text.codePoints().limit(MAX_LENGTH).forEach(c -> safe.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        if (text.codePointCount(0, text.length()) > MAX_LENGTH) {
            safe.append("...");
        }
        return safe.toString();
    }
}

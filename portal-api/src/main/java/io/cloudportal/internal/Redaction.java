package io.cloudportal.internal;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hides credentials in text that may be logged, shown by {@code toString()} or put in an
 * exception message. Not part of the API: users never import this package.
 */
public final class Redaction {

    /** What a hidden value is replaced with. */
    public static final String MASK = "****";

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|secret|token|credential|passphrase|privatekey|apikey|jaas).*");
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@?#:\\s]*):[^@\\s]*@");
    private static final Pattern SECRET_QUERY = Pattern.compile(
            "([?&;][^=&#\\s]*(?i:password|passwd|secret|token|credential|passphrase|privatekey|apikey|jaas)[^=&#\\s]*=)[^&#\\s]*");

    private Redaction() {
    }

    /**
     * Tells whether an option holds a secret, by its name.
     *
     * @param optionName the option name, e.g. {@code password} or {@code secretKey}
     * @return true if its value must never be shown
     */
    public static boolean isSecret(String optionName) {
        return optionName != null && SECRET_NAME.matcher(optionName.toLowerCase(Locale.ROOT)).matches();
    }

    /**
     * The value to show for an option: the value itself, or the mask for a secret.
     *
     * @param optionName the option name
     * @param value its value
     * @return what may be shown
     */
    public static String value(String optionName, String value) {
        return isSecret(optionName) ? MASK : value;
    }

    /**
     * Hides the password of every URL in a text, and the values of secret query options.
     *
     * @param text any text, possibly holding URLs
     * @return the text with credentials masked; null stays null
     */
    public static String redactUrl(String text) {
        if (text == null) {
            return null;
        }
        String masked = URL_PASSWORD.matcher(text).replaceAll("$1:" + MASK + "@");
        return SECRET_QUERY.matcher(masked).replaceAll("$1" + MASK);
    }
}

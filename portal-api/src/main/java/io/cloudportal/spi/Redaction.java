package io.cloudportal.spi;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hides credentials in text that may be logged, shown by {@code toString()} or put in an
 * exception message. For drivers and the portable layer; applications have no need of it.
 */
public final class Redaction {

    /** What a hidden value is replaced with. */
    public static final String MASK = "****";

    private static final Pattern SECRET_NAME = Pattern.compile("(?i).*(password|passwd|secret|token|credential|passphrase|privatekey|apikey|jaas).*");
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/@?#:\\s]*):[^@\\s]*@");
    /**
     * A secret query option's value runs to the next {@code &name=}, not merely the next {@code &}:
     * a key left unencoded in a malformed URL (a Z85 CURVE key holds {@code &}, {@code #} and {@code @})
     * must be hidden whole, since the malformed URL is shown in the error.
     */
    private static final Pattern SECRET_QUERY = Pattern.compile(
            "([?&;][^=&#\\s]*(?i:password|passwd|secret|token|credential|passphrase|privatekey|apikey|jaas)[^=&#\\s]*=).*?(?=&[A-Za-z][\\w.-]*=|\\s|$)");

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
        // Query secrets first: a user-info match may then run into the query, which hides more, never less.
        String masked = SECRET_QUERY.matcher(text).replaceAll("$1" + MASK);
        return URL_PASSWORD.matcher(masked).replaceAll("$1:" + MASK + "@");
    }
}

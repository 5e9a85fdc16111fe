package io.kanal.app.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${VAR}} and {@code ${VAR:-default}} inside the string values of a parsed configuration with
 * values from the environment. It works on the parsed tree rather than the raw text so that a value can never
 * change the structure of the document, and so that an error can name the key it happened under.
 *
 * <p>As in the shell, {@code ${VAR:-default}} takes the default when {@code VAR} is unset or empty, while
 * {@code ${VAR}} with {@code VAR} set to the empty string gives the empty string. <code>$${</code> writes a
 * literal <code>${</code>. Keys and non-string values are left alone.
 */
final class EnvironmentSubstitution {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String DEFAULT_SEPARATOR = ":-";

    private final Function<String, String> environment;

    EnvironmentSubstitution(Function<String, String> environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
    }

    /** Substitutes every string value in {@code tree}, changing it in place. */
    void apply(JsonNode tree) throws ConfigException {
        substitute(tree, KeyPath.ROOT);
    }

    private void substitute(JsonNode node, KeyPath path) throws ConfigException {
        if (node instanceof ObjectNode object) {
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                KeyPath fieldPath = path.key(field.getKey());
                if (field.getValue().isTextual()) {
                    field.setValue(TextNode.valueOf(expand(field.getValue().textValue(), fieldPath)));
                } else {
                    substitute(field.getValue(), fieldPath);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (int i = 0; i < array.size(); i++) {
                KeyPath elementPath = path.index(i);
                if (array.get(i).isTextual()) {
                    array.set(i, TextNode.valueOf(expand(array.get(i).textValue(), elementPath)));
                } else {
                    substitute(array.get(i), elementPath);
                }
            }
        }
    }

    /** The text with every placeholder replaced; {@code path} names the value in errors. */
    String expand(String text, KeyPath path) throws ConfigException {
        StringBuilder result = new StringBuilder(text.length());
        int position = 0;
        while (position < text.length()) {
            int dollar = text.indexOf('$', position);
            if (dollar < 0) {
                break;
            }
            result.append(text, position, dollar);
            if (text.startsWith("$${", dollar)) {
                result.append("${");
                position = dollar + 3;
            } else if (text.startsWith("${", dollar)) {
                int close = text.indexOf('}', dollar + 2);
                if (close < 0) {
                    throw ConfigException.at(path, "'${' without a closing '}'"
                            + (path.isSecret() ? "" : " in '" + text + "'"));
                }
                result.append(resolve(text.substring(dollar + 2, close), path));
                position = close + 1;
            } else {
                result.append('$');
                position = dollar + 1;
            }
        }
        return result.append(text, position, text.length()).toString();
    }

    private String resolve(String placeholder, KeyPath path) throws ConfigException {
        int separator = placeholder.indexOf(DEFAULT_SEPARATOR);
        String name = separator < 0 ? placeholder : placeholder.substring(0, separator);
        if (!NAME.matcher(name).matches()) {
            throw ConfigException.at(path, (path.isSecret() ? "a '${...}'" : "'${" + placeholder + "}'")
                    + " does not name an environment variable");
        }
        String value = environment.apply(name);
        if (separator >= 0) {
            return value == null || value.isEmpty()
                    ? placeholder.substring(separator + DEFAULT_SEPARATOR.length())
                    : value;
        }
        if (value == null) {
            throw ConfigException.at(path, "environment variable " + name + " is not set and ${" + name
                    + "} has no default (write ${" + name + ":-default} to give one)");
        }
        return value;
    }
}

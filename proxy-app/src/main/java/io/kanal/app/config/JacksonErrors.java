package io.kanal.app.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Words Jackson's parse and binding failures as one-line configuration errors that start with the key path, so
 * that operators never see Jackson's class names or multi-line excerpts.
 */
final class JacksonErrors {

    private static final String DUPLICATE_FIELD = "Duplicate field ";
    private static final String TRAILING_TOKEN = "Trailing token";
    /** A problem with a value that must not be repeated; Jackson's own messages may quote it. */
    private static final String SECRET_UNREADABLE = "cannot be read (the value is not shown: its key names a secret)";

    private JacksonErrors() {
    }

    static ConfigException toConfigException(JacksonException e) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            KeyPath path = keyPath(KeyPath.ROOT, mapping.getPath());
            return ConfigException.at(path, bindingProblem(mapping, path));
        }
        return new ConfigException(where(e) + syntaxProblem(e));
    }

    /**
     * A failure to bind a subtree of the configuration that has already been parsed, such as a filter's
     * {@code config}; the error names keys from {@code subtree}, the subtree's own key path.
     */
    static ConfigException toConfigException(JacksonException e, KeyPath subtree) {
        if (e instanceof JsonMappingException mapping) {
            KeyPath path = keyPath(subtree, mapping.getPath());
            return ConfigException.at(path, bindingProblem(mapping, path));
        }
        return ConfigException.at(subtree, subtree.isSecret() ? SECRET_UNREADABLE : oneLine(e.getOriginalMessage()));
    }

    private static KeyPath keyPath(KeyPath start, List<JsonMappingException.Reference> references) {
        KeyPath path = start;
        for (JsonMappingException.Reference reference : references) {
            path = reference.getFieldName() != null
                    ? path.key(reference.getFieldName())
                    : path.index(reference.getIndex());
        }
        return path;
    }

    /** @param path where the value is; a secret's value is never repeated */
    private static String bindingProblem(JsonMappingException e, KeyPath path) {
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown key (known: " + knownKeys(unknown) + ")";
        }
        if (e instanceof InvalidFormatException invalid) {
            return path.isSecret()
                    ? "the value is not " + expected(invalid.getTargetType()) + " (not shown: its key names a secret)"
                    : "'" + invalid.getValue() + "' is not " + expected(invalid.getTargetType());
        }
        if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
            return "expected " + expected(mismatched.getTargetType());
        }
        if (path.isSecret()) {
            return SECRET_UNREADABLE;
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException invalid
                && invalid.getMessage() != null) {
            // A configuration class that checks its values in its constructor.
            return oneLine(invalid.getMessage());
        }
        Throwable cause = e.getCause();
        if (cause instanceof JacksonException jackson) {
            return oneLine(jackson.getOriginalMessage());
        }
        return oneLine(e.getOriginalMessage());
    }

    /** The keys in the order the section declares them, which is the order the documentation lists them in. */
    private static String knownKeys(UnrecognizedPropertyException e) {
        Collection<Object> known = e.getKnownPropertyIds();
        Class<?> section = e.getReferringClass();
        if (known == null) {
            return "";
        }
        if (section == null || !section.isRecord()) {
            return known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
        }
        return Arrays.stream(section.getRecordComponents())
                .map(RecordComponent::getName)
                .filter(known::contains)
                .collect(Collectors.joining(", "));
    }

    private static String expected(Class<?> type) {
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == String.class) {
            return "a single value";
        }
        if (Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        return "a mapping of keys";
    }

    /** Where a syntax error is: the key being read and the line, as far as they are known. */
    private static String where(JacksonException e) {
        StringBuilder where = new StringBuilder();
        if (e.getProcessor() instanceof JsonParser parser) {
            String path = keyPath(parser.getParsingContext());
            if (!path.isEmpty()) {
                where.append(path).append(": ");
            }
        }
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblemMark() != null) {
            // SnakeYAML counts from 0 and marks the offending token; Jackson's location may be where parsing began.
            where.append(lineAndColumn(yaml.getProblemMark().getLine() + 1, yaml.getProblemMark().getColumn() + 1));
        } else if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            where.append(lineAndColumn(e.getLocation().getLineNr(), e.getLocation().getColumnNr()));
        }
        return where.toString();
    }

    private static String lineAndColumn(int line, int column) {
        return "line " + line + ", column " + column + ": ";
    }

    private static String syntaxProblem(JacksonException e) {
        if (e.getCause() instanceof MarkedYAMLException yaml && yaml.getProblem() != null) {
            String context = yaml.getContext();
            return oneLine(yaml.getProblem()) + (context == null ? "" : " (" + oneLine(context) + ")");
        }
        String message = oneLine(e.getOriginalMessage());
        if (message.startsWith(DUPLICATE_FIELD)) {
            return "duplicate key " + message.substring(DUPLICATE_FIELD.length());
        }
        if (message.startsWith(TRAILING_TOKEN)) {
            return "a second YAML document; the configuration must be a single document";
        }
        return message;
    }

    private static String keyPath(JsonStreamContext innermost) {
        Deque<JsonStreamContext> chain = new ArrayDeque<>();
        for (JsonStreamContext context = innermost; context != null && !context.inRoot();
                context = context.getParent()) {
            chain.push(context);
        }
        KeyPath path = KeyPath.ROOT;
        for (JsonStreamContext context : chain) {
            if (context.inArray()) {
                path = path.index(Math.max(context.getCurrentIndex(), 0));
            } else if (context.getCurrentName() != null) {
                path = path.key(context.getCurrentName());
            }
        }
        return path.toString();
    }

    /** Jackson and SnakeYAML spread some messages over several lines with an excerpt of the input. */
    private static String oneLine(String message) {
        if (message == null) {
            return "cannot be read";
        }
        String firstLine = message.strip().lines().findFirst().orElse("");
        return firstLine.replaceAll("\\s+", " ");
    }
}

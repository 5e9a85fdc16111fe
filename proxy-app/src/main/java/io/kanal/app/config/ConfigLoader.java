package io.kanal.app.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.kanal.proxy.config.ProxyConfig;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * Reads a Kanal YAML configuration into the engine's {@link ProxyConfig}: parses it, substitutes environment
 * variables in its string values, binds it strictly and validates it. Every failure is one
 * {@link ConfigException} naming the key at fault.
 */
public final class ConfigLoader {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .build();

    private final EnvironmentSubstitution substitution;

    /**
     * @param environment looks up an environment variable, {@code null} when it is unset; {@code System::getenv}
     *                    in production
     */
    public ConfigLoader(Function<String, String> environment) {
        this.substitution = new EnvironmentSubstitution(Objects.requireNonNull(environment, "environment"));
    }

    /** Loads the configuration file at {@code file}. */
    public ProxyConfig load(Path file) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("cannot read " + file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new ConfigException("cannot read " + file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new ConfigException("cannot read " + file + ": " + e.getMessage());
        }
        return parse(yaml);
    }

    /** Loads a configuration from its YAML text. */
    public ProxyConfig parse(String yaml) throws ConfigException {
        try {
            JsonNode tree = YAML.readTree(yaml);
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                throw new ConfigException("the configuration is empty; it needs at least virtualClusters");
            }
            if (!tree.isObject()) {
                throw new ConfigException("the configuration must be a mapping of keys, starting with virtualClusters");
            }
            substitution.apply(tree);
            return ProxyConfigMapper.map(YAML.treeToValue(tree, ConfigDocument.class));
        } catch (JacksonException e) {
            throw JacksonErrors.toConfigException(e);
        }
    }
}

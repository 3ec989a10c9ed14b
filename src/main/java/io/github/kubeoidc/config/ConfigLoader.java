package io.github.kubeoidc.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an {@code AuthenticationConfiguration} file (YAML or JSON) strictly, as kube-apiserver does:
 * unknown and duplicate fields are errors, and so is an empty file. Then validates it.
 */
public final class ConfigLoader {
  private static final ObjectMapper JSON = strict(JsonMapper.builder().build());
  private static final ObjectMapper YAML = strict(new YAMLMapper(new YAMLFactory()));

  private ConfigLoader() {
    throw new AssertionError();
  }

  private static ObjectMapper strict(ObjectMapper m) {
    return m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
  }

  /** Reads, decodes and validates the file. Every problem names the file and the field. */
  public static WebhookConfig load(Path file) throws ConfigException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ConfigException("--authentication-config: cannot read " + file + ": " + e);
    }
    AuthenticationConfiguration cfg = parse(new String(bytes, StandardCharsets.UTF_8), file.toString());
    ConfigValidator.Validated v = ConfigValidator.validateFile(cfg);
    return new WebhookConfig(cfg.jwt(), v.rules(), WebhookConfig.ALL_ASYMMETRIC_ALGORITHMS, file.toString());
  }

  /**
   * The configuration from exactly one of {@code --authentication-config} or the legacy {@code --oidc-*}
   * flags (kube-apiserver makes them mutually exclusive too).
   */
  public static WebhookConfig select(Path file, LegacyFlags legacy) throws ConfigException {
    if (file != null && legacy.anySet()) {
      throw new ConfigException("--authentication-config and the --oidc-* flags are mutually exclusive");
    }
    if (file != null) {
      return load(file);
    }
    if (legacy.anySet()) {
      return legacy.toWebhookConfig();
    }
    throw new ConfigException("no issuer configured: give --authentication-config FILE or --oidc-issuer-url with --oidc-client-id");
  }

  /** Decodes without validating. {@code origin} names the input in messages. */
  public static AuthenticationConfiguration parse(String text, String origin) throws ConfigException {
    if (text.isBlank()) {
      throw new ConfigException(origin + ": the configuration file is empty");
    }
    ObjectMapper mapper = text.stripLeading().startsWith("{") ? JSON : YAML;
    AuthenticationConfiguration cfg;
    try {
      cfg = mapper.readValue(text, AuthenticationConfiguration.class);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(List.of(FieldError.unknownField(pathOf(e))));
    } catch (JsonMappingException e) {
      String where = pathOf(e).toString();
      throw new ConfigException(
          origin + ": " + (where.isEmpty() ? "" : where + ": ") + "cannot decode: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new ConfigException(origin + ": not valid YAML or JSON: " + e.getOriginalMessage()
          + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
    }
    if (cfg == null) {
      throw new ConfigException(origin + ": the configuration file is empty");
    }
    return cfg;
  }

  private static FieldPath pathOf(JsonMappingException e) {
    FieldPath p = FieldPath.root("");
    List<JsonMappingException.Reference> refs = new ArrayList<>(e.getPath());
    for (JsonMappingException.Reference r : refs) {
      p = r.getFieldName() != null ? p.child(r.getFieldName()) : p.index(r.getIndex());
    }
    return p;
  }
}

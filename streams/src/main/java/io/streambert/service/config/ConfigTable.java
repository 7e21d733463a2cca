package io.streambert.service.config;

import java.util.Locale;
import org.apache.kafka.common.config.ConfigDef;

/**
 * Renders {@link ConfigKeys#DEFINITION} and the open key families as the Markdown configuration
 * table of docs/SERVICE.md, one table per section. The docs hold it between {@link #BEGIN} and
 * {@link #END}; a test fails when they differ.
 */
public final class ConfigTable {
    public static final String BEGIN = "<!-- config-table:begin -->";
    public static final String END = "<!-- config-table:end -->";

    private ConfigTable() {}

    /** The tables, without the markers. */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append("<!-- generated from ConfigKeys.DEFINITION by ConfigTable; do not edit -->\n");
        for (String section : ConfigKeys.DEFINITION.groups()) {
            sb.append("\n**").append(section).append("**\n\n");
            sb.append("| key | type | default | valid values | importance | meaning |\n");
            sb.append("|---|---|---|---|---|---|\n");
            ConfigKeys.DEFINITION
                    .configKeys()
                    .forEach(
                            (name, key) -> {
                                if (section.equals(key.group)) row(sb, key);
                            });
            for (ConfigKeys.Family f : ConfigKeys.FAMILIES)
                if (section.equals(f.section()))
                    sb.append("| `")
                            .append(f.pattern())
                            .append("` | | | | | ")
                            .append(f.doc())
                            .append(" |\n");
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, ConfigDef.ConfigKey key) {
        String def = TypedValues.asText(key.defaultValue);
        String valid =
                key.validator != null
                        ? key.validator.toString()
                        : key.type == ConfigDef.Type.BOOLEAN ? "true, false" : "";
        sb.append("| `")
                .append(key.name)
                .append("` | ")
                .append(key.type.name().toLowerCase(Locale.ROOT))
                .append(" | ")
                .append(def.isEmpty() ? "" : "`" + def + "`")
                .append(" | ")
                .append(valid)
                .append(" | ")
                .append(key.importance.name().toLowerCase(Locale.ROOT))
                .append(" | ")
                .append(key.documentation)
                .append(" |\n");
    }
}

package io.streambert.service.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/SERVICE.md's configuration table is the one {@link ConfigTable} generates from the
 * definition. To regenerate it after changing {@link ConfigKeys}: {@code bin/mvn -q -pl streams -am
 * verify -Dtest=ConfigTableTest -Dsurefire.failIfNoSpecifiedTests=false -DskipITs
 * -Dconfig.table.write=true}.
 */
class ConfigTableTest {
    static final String REGENERATE =
            "bin/mvn -q -pl streams -am verify -Dtest=ConfigTableTest"
                    + " -Dsurefire.failIfNoSpecifiedTests=false -DskipITs -Dconfig.table.write=true";

    private static Path serviceDoc() {
        Path p = Path.of("..", "docs", "SERVICE.md").toAbsolutePath().normalize();
        assertTrue(Files.isRegularFile(p), "docs/SERVICE.md next to the streams module: " + p);
        return p;
    }

    @Test
    void serviceDocHoldsTheGeneratedTable() throws Exception {
        Path doc = serviceDoc();
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        int begin = text.indexOf(ConfigTable.BEGIN);
        int end = text.indexOf(ConfigTable.END);
        assertTrue(
                begin >= 0 && end > begin,
                doc + " lacks the markers " + ConfigTable.BEGIN + " ... " + ConfigTable.END);
        String current = text.substring(begin + ConfigTable.BEGIN.length() + 1, end);
        String generated = ConfigTable.markdown();
        if (Boolean.getBoolean("config.table.write") && !current.equals(generated)) {
            Files.writeString(
                    doc,
                    text.substring(0, begin + ConfigTable.BEGIN.length() + 1)
                            + generated
                            + text.substring(end),
                    StandardCharsets.UTF_8);
            return;
        }
        assertEquals(
                generated,
                current,
                "docs/SERVICE.md's configuration table differs from the one generated from"
                        + " ConfigKeys.DEFINITION; regenerate it with:\n  "
                        + REGENERATE
                        + "\n");
    }

    @Test
    void everyDefinedKeyAndFamilyIsInTheTable() {
        String table = ConfigTable.markdown();
        for (String key : ConfigKeys.DEFINITION.names())
            assertTrue(table.contains("| `" + key + "` |"), key);
        for (ConfigKeys.Family f : ConfigKeys.FAMILIES)
            assertTrue(table.contains("| `" + f.pattern() + "` |"), f.pattern());
        assertTrue(
                table.contains("| `scheduler.max.batch.sequences` | int | `256` | [1, 65536] |"));
        assertTrue(table.contains("| `text.hash.key` | password |  |"), table);
    }
}

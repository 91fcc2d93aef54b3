package org.scorepipe.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.scorepipe.runtime.ScorepipeException;

/**
 * A plugin folder packed as a zip for {@code SparkContext.addArchive}, which unpacks it on every
 * executor. The archive's name carries a hash of the folder's contents, so a changed folder is a
 * new archive (Spark refuses a second file under a name it has shipped).
 */
final class PluginArchive {
    private PluginArchive() {
    }

    static Path pack(Path folder) {
        try {
            Path root = folder.toAbsolutePath().normalize();
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root)) {
                files = walk.filter(Files::isRegularFile).sorted().toList();
            }
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : files) {
                digest.update(root.relativize(file).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                digest.update(Files.readAllBytes(file));
            }
            String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 16);
            Path archive = Files.createTempDirectory("scorepipe-plugins").resolve("scorepipe-plugins-" + hash + ".zip");
            try (OutputStream out = Files.newOutputStream(archive); ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Path file : files) {
                    zip.putNextEntry(new ZipEntry(root.relativize(file).toString().replace('\\', '/')));
                    Files.copy(file, zip);
                    zip.closeEntry();
                }
            }
            // deleted in the reverse order of registration: the archive, then its folder
            archive.getParent().toFile().deleteOnExit();
            archive.toFile().deleteOnExit();
            return archive;
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new ScorepipeException("cannot pack the plugin folder " + folder + " for the executors: " + e.getMessage());
        }
    }
}

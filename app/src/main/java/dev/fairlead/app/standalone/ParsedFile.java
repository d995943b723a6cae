package dev.fairlead.app.standalone;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of reading one configuration file: its objects, or the first problem found, with its
 * line.
 */
public sealed interface ParsedFile permits ParsedFile.Good, ParsedFile.Broken {

  Path file();

  /** Every object of the file, each with the line its document starts on. */
  record Good(Path file, List<Located> objects) implements ParsedFile {
    public Good {
      objects = List.copyOf(objects);
    }
  }

  /** A file that cannot be used; {@code line} is 1-based, 0 when unknown. */
  record Broken(Path file, int line, String message) implements ParsedFile {
    /** {@code file:line: message}, the form editors and terminals link to. */
    public String describe() {
      return file + (line > 0 ? ":" + line : "") + ": " + message;
    }
  }

  /** An object and where it was written. */
  record Located(HasMetadata object, Path file, int line) {}
}

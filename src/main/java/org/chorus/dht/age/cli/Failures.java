package org.chorus.dht.age.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Short, human reasons for I/O failures, for "failed to …: reason" messages. Stateless. */
final class Failures {

  private Failures() {}

  /**
   * The reason of an I/O failure without the path that the caller's message already names (a {@link
   * FileSystemException}'s message is often just the path).
   */
  static String reason(IOException e) {
    if (e instanceof FileSystemException fse) {
      return fileSystemReason(fse);
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /**
   * The cause part of a library message that reads "failed to …: cause", so the CLI can name the
   * file or argument itself; other messages are returned whole.
   */
  static String detail(Exception e) {
    String message = String.valueOf(e.getMessage());
    int colon = message.indexOf(": ");
    return message.startsWith("failed to ") && colon >= 0 ? message.substring(colon + 2) : message;
  }

  private static String fileSystemReason(FileSystemException e) {
    if (e.getReason() != null) {
      return e.getReason().toLowerCase(java.util.Locale.ROOT);
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "file exists";
    }
    if (e instanceof NotDirectoryException) {
      return "not a directory";
    }
    if (e instanceof DirectoryNotEmptyException) {
      return "directory not empty";
    }
    return e.getClass().getSimpleName();
  }
}

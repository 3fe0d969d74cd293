package org.chorus.dht;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Entry point of a chorus-dht node. */
@SpringBootApplication
public class ChorusDhtApplication {

  public static void main(String[] args) {
    SpringApplication.run(ChorusDhtApplication.class, args);
  }
}

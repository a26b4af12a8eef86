package io.pipelit.pipelitd.persistence.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The password mask of the settings' URLs. */
class SettingsMaskTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "postgresql://bob:s3cret@db:5432/pipelit|postgresql://bob:***@db:5432/pipelit",
      "postgres://bob:p%40ss:w@db/pipelit?sslmode=require|postgres://bob:***@db/pipelit?sslmode=require",
      "redis://:pw@localhost:6379/0|redis://:***@localhost:6379/0",
      "rediss://user@cache:6380|rediss://user@cache:6380",
      "redis://localhost:6379/0|redis://localhost:6379/0",
      "sqlite:////var/lib/pipelit/db.sqlite3|sqlite:////var/lib/pipelit/db.sqlite3",
      "sqlite:///platform/odd@name.sqlite3|sqlite:///platform/odd@name.sqlite3",
      "postgresql://db/pipelit?user=bob&password=s3cret|postgresql://db/pipelit?user=bob&password=***",
      "postgresql://bob:a@b@db/x|postgresql://bob:***@db/x"})
  void passwordsBecomeStars(String url, String masked) {
    assertEquals(masked, SettingsStore.maskUrl(url));
  }
}

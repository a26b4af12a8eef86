package io.pipelit.pipelitd.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class KeyAnswersTest {
  private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
  private final KeyAnswers answers = new KeyAnswers(clock::get);
  private final Identity ann = new Identity(7, Identity.NORMAL);

  @Test
  void anAnswerIsReusedForAsLongAsTheStoreSaidAndNoLonger() {
    answers.put("d", ann, 1_000);
    assertEquals(ann, answers.get("d"));
    clock.addAndGet(999_999_999);
    assertEquals(ann, answers.get("d"));
    clock.addAndGet(1);
    assertNull(answers.get("d"));
  }

  @Test
  void zeroMeansNotAtAllAndClearDropsEverything() {
    answers.put("d", ann, 0);
    assertNull(answers.get("d"));
    answers.put("a", ann, 60_000);
    answers.put("b", ann, 60_000);
    answers.clear();
    assertNull(answers.get("a"));
    assertNull(answers.get("b"));
  }

  @Test
  void theMapIsBounded() {
    for (int i = 0; i <= KeyAnswers.MAX_ENTRIES; i++) {
      answers.put("k" + i, ann, 60_000);
    }
    assertTrue(answers.get("k" + KeyAnswers.MAX_ENTRIES) != null, "the newest answer is kept");
    assertNull(answers.get("k0"), "the map started over");
  }
}

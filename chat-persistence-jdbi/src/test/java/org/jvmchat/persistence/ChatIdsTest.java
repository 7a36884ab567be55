package org.jvmchat.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChatIdsTest {
  @Test
  void idsAreCanonicalVersion7UuidsThatIncreaseStrictly() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(ChatIds.newId());
    }
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    for (String id : ids.subList(0, 10)) {
      assertThat(ChatIds.isValid(id)).isTrue();
      UUID uuid = UUID.fromString(id);
      assertThat(uuid.version()).isEqualTo(7);
      assertThat(uuid.variant()).isEqualTo(2);
      long millis = uuid.getMostSignificantBits() >>> 16;
      assertThat(millis)
          .isCloseTo(System.currentTimeMillis(), org.assertj.core.data.Offset.offset(60_000L));
    }
  }

  @Test
  void onlyCanonicalLowercaseIdsAreValid() {
    assertThat(ChatIds.isValid("0193f1a2-7c4e-7d2a-9b1c-3f0e5a6b7c8d")).isTrue();
    assertThat(ChatIds.isValid("0193F1A2-7C4E-7D2A-9B1C-3F0E5A6B7C8D")).isFalse();
    assertThat(ChatIds.isValid("0193f1a27c4e7d2a9b1c3f0e5a6b7c8d")).isFalse();
    assertThat(ChatIds.isValid("1-1-1-1-1")).isFalse();
    assertThat(ChatIds.isValid(null)).isFalse();
    assertThat(ChatIds.isValid("")).isFalse();
  }
}

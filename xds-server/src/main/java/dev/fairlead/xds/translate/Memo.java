package dev.fairlead.xds.translate;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.BinaryOperator;
import java.util.function.Function;

/**
 * The results of one kind of translation kept from one {@link IncrementalTranslator} translation to
 * the next, each with what it was made from: the source (the part of the translated object that was
 * read) and the {@link Reads} of the rest of the state. A result is reused while its source is the
 * same and every read finds the same; otherwise it is made again, and an earlier result equal to
 * the new one is kept instead, so an unchanged output stays the same instance.
 *
 * <p>Holds one result per key asked for in the last translation (and the one under way), no more: a
 * key not asked for during a translation is dropped at its end. Not thread-safe; used by the one
 * thread translating.
 *
 * @param <K> what identifies the translated object
 * @param <V> its result
 */
final class Memo<K, V> {

  /** A result, what it was made from, and the last translation that asked for it. */
  private static final class Entry<V> {

    private Object source;
    private Reads reads;
    private V value;
    private long asked;

    Entry(Object source, Reads reads, V value, long asked) {
      this.source = source;
      this.reads = reads;
      this.value = value;
      this.asked = asked;
    }
  }

  private final BiPredicate<Object, Object> sameSource;
  private final BinaryOperator<V> canonical;
  private final Map<K, Entry<V>> entries = new HashMap<>();
  private long translation = 1;
  private int asked;

  /**
   * @param sameSource whether two sources translate alike (both never null)
   * @param canonical given the earlier result and a newly made one, the result to keep: the earlier
   *     one, or parts of it, where they are equal
   */
  Memo(BiPredicate<Object, Object> sameSource, BinaryOperator<V> canonical) {
    this.sameSource = sameSource;
    this.canonical = canonical;
  }

  /**
   * The result for {@code key} in the translation under way: the one already given for it in this
   * translation, the earlier one if it still holds in {@code state}, or else {@code translate}'s,
   * which records its reads.
   *
   * @param source the part of the object the result is made from; null when {@code key} says it all
   */
  V get(K key, Object source, Reads.Lookup state, Function<Reads, V> translate) {
    Entry<V> entry = entries.get(key);
    if (entry != null && entry.asked == translation) {
      return entry.value;
    }
    if (entry != null && sameSources(entry.source, source) && entry.reads.unchangedIn(state)) {
      entry.asked = translation;
      asked++;
      return entry.value;
    }
    Reads reads = new Reads();
    V value = translate.apply(reads);
    asked++;
    if (entry == null) {
      entries.put(key, new Entry<>(source, reads, value, translation));
      return value;
    }
    entry.source = source;
    entry.reads = reads;
    entry.value = canonical.apply(entry.value, value);
    entry.asked = translation;
    return entry.value;
  }

  /**
   * Ends a translation: what it asked for becomes what the next may reuse, and the rest is dropped.
   */
  void translated() {
    if (asked != entries.size()) {
      entries.values().removeIf(entry -> entry.asked != translation);
    }
    translation++;
    asked = 0;
  }

  private boolean sameSources(Object a, Object b) {
    return a == b || (a != null && b != null && sameSource.test(a, b));
  }
}

package dev.fairlead.allocator;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The elements of a list, each once, in an order that differs from call to call, produced lazily:
 * index {@code (start + k * step) mod n} for k = 0…n-1, with a random start and a random step
 * coprime with n. Choosing the first free element costs a few steps rather than a shuffle of the
 * whole list, which matters when an Upstream has thousands of endpoints; and concurrent callers
 * (threads, replicas) start at different places, so they seldom race for the same endpoint.
 *
 * <p>Not a uniform permutation (there are only n·φ(n) orders, not n!), which is all spreading
 * needs.
 */
final class RandomOrder<T> implements Iterable<T> {

  private final List<T> list;
  private final int start;
  private final int step;

  private RandomOrder(List<T> list, int start, int step) {
    this.list = list;
    this.start = start;
    this.step = step;
  }

  /**
   * {@code list} in a random order; the list must support fast random access and must not change
   * meanwhile.
   */
  static <T> RandomOrder<T> of(List<T> list) {
    int n = list.size();
    if (n <= 1) {
      return new RandomOrder<>(list, 0, 1);
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    int step;
    do {
      step = 1 + random.nextInt(n - 1);
    } while (gcd(step, n) != 1);
    return new RandomOrder<>(list, random.nextInt(n), step);
  }

  @Override
  public Iterator<T> iterator() {
    return new Iterator<>() {
      private int k;

      @Override
      public boolean hasNext() {
        return k < list.size();
      }

      @Override
      public T next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        int index = (int) ((start + (long) k * step) % list.size());
        k++;
        return list.get(index);
      }
    };
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}

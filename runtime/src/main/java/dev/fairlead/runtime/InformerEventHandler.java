package dev.fairlead.runtime;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * Fairlead's one adapter from fabric8's informer callbacks to what a controller does about an
 * event: an action for adds, one for updates (old and new object) and one for deletes. Whether a
 * delete's final state was unknown (a delete seen only in a relist) makes no difference to any
 * controller here, so the delete action gets the object alone.
 *
 * <p>The actions run on fabric8's informer threads, one event at a time per informer; they must be
 * quick and must not block (they queue work for a {@link CoalescingWorkQueue}).
 *
 * @param <T> the model class of the kind watched
 */
public final class InformerEventHandler<T> implements ResourceEventHandler<T> {

  private final Consumer<? super T> onAdd;
  private final BiConsumer<? super T, ? super T> onUpdate;
  private final Consumer<? super T> onDelete;

  private InformerEventHandler(
      Consumer<? super T> onAdd,
      BiConsumer<? super T, ? super T> onUpdate,
      Consumer<? super T> onDelete) {
    this.onAdd = Objects.requireNonNull(onAdd, "onAdd");
    this.onUpdate = Objects.requireNonNull(onUpdate, "onUpdate");
    this.onDelete = Objects.requireNonNull(onDelete, "onDelete");
  }

  /** One action per kind of event; {@code onUpdate} gets the old object, then the new one. */
  public static <T> InformerEventHandler<T> of(
      Consumer<? super T> onAdd,
      BiConsumer<? super T, ? super T> onUpdate,
      Consumer<? super T> onDelete) {
    return new InformerEventHandler<>(onAdd, onUpdate, onDelete);
  }

  /**
   * One action for every object an event carries: the added object, the old and then the new object
   * of an update, the deleted object.
   */
  public static <T> InformerEventHandler<T> forEachObject(Consumer<? super T> action) {
    return new InformerEventHandler<>(
        action,
        (oldObject, newObject) -> {
          action.accept(oldObject);
          action.accept(newObject);
        },
        action);
  }

  @Override
  public void onAdd(T object) {
    onAdd.accept(object);
  }

  @Override
  public void onUpdate(T oldObject, T newObject) {
    onUpdate.accept(oldObject, newObject);
  }

  @Override
  public void onDelete(T object, boolean deletedFinalStateUnknown) {
    onDelete.accept(object);
  }
}

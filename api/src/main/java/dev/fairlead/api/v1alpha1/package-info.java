/**
 * {@code fairlead.dev/v1alpha1}: the {@link dev.fairlead.api.v1alpha1.Upstream} custom resource.
 * Spec types are immutable records; an absent optional field is {@code null} in the record, exactly
 * as it is absent in the object's JSON.
 */
package dev.fairlead.api.v1alpha1;

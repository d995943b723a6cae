/**
 * Verdicts: what a translation concluded about each object it read (accepted, references resolved),
 * in a form the reporter turns into status without knowing anything of Envoy.
 */
package dev.fairlead.api.verdict;

import {
  ALWAYS_READABLE_OBJECTS,
  CHANNEL_REGISTRY,
  CHANNELS,
  FEATURE_GATED_OBJECTS,
  objectsRead,
  type OrgFeature,
  type PackageKey
} from '../contracts/channels.ts';
import { PACKAGE_ORDER, packageFeatures } from '../contracts/packages.ts';

/** A feature that not every Service Cloud org has. */
export type GatedFeature = Exclude<OrgFeature, 'ServiceCloud'>;

export const GATED_FEATURES = Object.keys(FEATURE_GATED_OBJECTS) as GatedFeature[];

/**
 * Every object that exists only when a feature is on, and that feature: the contract's list of
 * feature-gated objects, plus the objects that the channels of a gated feature read and that no
 * Service Cloud channel reads (Contact and User are read by Case too, so they are not gated).
 */
export function gatedObjects(): ReadonlyMap<string, GatedFeature> {
  const gated = new Map<string, GatedFeature>();
  for (const feature of GATED_FEATURES) {
    for (const object of FEATURE_GATED_OBJECTS[feature]) gated.set(object, feature);
  }
  const everywhere = new Set(
    CHANNELS.filter((c) => CHANNEL_REGISTRY[c].feature === 'ServiceCloud').flatMap((c) => objectsRead(c))
  );
  for (const channel of CHANNELS) {
    const { feature, object } = CHANNEL_REGISTRY[channel];
    if (feature === 'ServiceCloud') continue;
    for (const read of [object, ...objectsRead(channel)]) {
      if (!everywhere.has(read) && !ALWAYS_READABLE_OBJECTS.has(read) && !gated.has(read)) {
        gated.set(read, feature);
      }
    }
  }
  return gated;
}

/** The lowest package in dependency order whose metadata may reference the feature, if any. */
export function packageCarrying(feature: GatedFeature): PackageKey | undefined {
  return PACKAGE_ORDER.find((key) => packageFeatures(key).includes(feature));
}

/** The features a package directory may reference; an unknown packaged directory gets the base's. */
export function allowedFeatures(key: PackageKey | undefined): OrgFeature[] {
  return packageFeatures(key ?? 'base');
}

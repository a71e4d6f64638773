// The managed packages: which package directory each one is, what it is installed on top of, and
// which org features its metadata may touch. Names, versions and scratch definitions live in
// sfdx-project.json (the sf CLI reads them there); the validator checks that sfdx-project.json
// agrees with this file. What a package needs of an org follows from the channels whose flows it
// ships (channels.ts): the base publishes Case closures and needs Service Cloud only; the
// Messaging extension publishes ended Messaging sessions and needs Messaging. Legacy Chat ships
// in no package: the relay and backfill read historical transcripts where the org still has them.

import { CHANNEL_REGISTRY, channelsPublishedBy, type OrgFeature, type PackageKey } from './channels.ts';

export interface PackageDefinition {
  key: PackageKey;
  /** the package directory, as sfdx-project.json "packageDirectories[].path" names it */
  directory: string;
  /** the package that must be installed first (sfdx-project.json "dependencies") */
  dependsOn: PackageKey | null;
}

export const PACKAGES: Readonly<Record<PackageKey, PackageDefinition>> = {
  base: { key: 'base', directory: 'force-app', dependsOn: null },
  messaging: { key: 'messaging', directory: 'force-app-messaging', dependsOn: 'base' }
};

/** Dependency order: every package comes after the package it depends on. */
export const PACKAGE_ORDER: readonly PackageKey[] = ['base', 'messaging'];

/** The package whose directory is `path` (as written in sfdx-project.json), if any. */
export function packageForDirectory(path: string): PackageKey | undefined {
  const normalised = path.replace(/\\/g, '/').replace(/\/+$/, '');
  return PACKAGE_ORDER.find((key) => PACKAGES[key].directory === normalised);
}

/**
 * The org features a package's metadata may reference, and so the features an org needs before
 * the package installs: Service Cloud, the features of the channels it publishes, and everything
 * the packages below it need.
 */
export function packageFeatures(key: PackageKey): OrgFeature[] {
  const own = channelsPublishedBy(key).map((channel) => CHANNEL_REGISTRY[channel].feature);
  const dependency = PACKAGES[key].dependsOn;
  const below = dependency ? packageFeatures(dependency) : [];
  return [...new Set<OrgFeature>(['ServiceCloud', ...below, ...own])];
}

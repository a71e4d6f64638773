import {
  ADMIN_ACCESS_PERMISSION_SET,
  ADMIN_PERMISSION_SET,
  INTEGRATION_ACCESS_PERMISSION_SET,
  INTEGRATION_PERMISSION_SET
} from '../contracts/api-names.ts';
import { loadMessages } from '../shared/messages.ts';
import type { Inventory } from './inventory.ts';
import type { ParsedMetadataFile } from './parsed-files.ts';
import type { Problem } from './problem.ts';
import { childrenNamed, childText, type XmlElement } from './xml-walker.ts';

const messages = loadMessages('validate');

/** Custom objects, platform events, custom metadata types, external and big objects: what a package may grant. */
const CUSTOM_OBJECT = /__(c|e|mdt|x|b)$/;

/** Where what a packaged permission set cannot carry goes instead (the generated, unpackaged sets). */
const GENERATED_COUNTERPART: Record<string, string> = {
  [INTEGRATION_PERMISSION_SET]: INTEGRATION_ACCESS_PERMISSION_SET,
  [ADMIN_PERMISSION_SET]: ADMIN_ACCESS_PERMISSION_SET
};

/**
 * A packaged permission set holds only what a managed package installs: custom object, custom
 * field, custom metadata type, custom setting and custom permission access, custom apps and custom
 * tabs, Apex class and Visualforce page access, record types. Standard-object and standard-field
 * permissions, user permissions and standard tab or app settings are silently dropped at install
 * (pkg2_dev distribution_perm_sets_profile_settings.htm), so the subscriber's users would lack
 * them without a word. Unpackaged directories may hold them: that is where they belong.
 */
export function checkPackagedPermissionSets(
  files: ParsedMetadataFile[],
  inventory: Inventory
): { checked: number; problems: Problem[] } {
  const problems: Problem[] = [];
  let checked = 0;
  for (const file of files) {
    if (file.typeName !== 'PermissionSet' || !file.packageDirectory.packaged) continue;
    const name = inventory.local(file.fullName);
    const counterpart = GENERATED_COUNTERPART[name];
    const grantIn = counterpart
      ? messages.getMessage('grantIn.generated', [counterpart])
      : messages.getMessage('grantIn.unpackaged');
    const report = (element: XmlElement, key: string, what: string): void => {
      problems.push({
        file: file.file,
        line: element.line,
        column: element.column,
        message: messages.getMessage(key, [name, what, grantIn])
      });
    };
    const each = (container: string, leaf: string, judge: (element: XmlElement, value: string) => void) => {
      for (const entry of childrenNamed(file.root, container)) {
        const element = entry.children.find((c) => c.name === leaf) ?? entry;
        checked++;
        judge(element, (childText(entry, leaf) ?? '').trim());
      }
    };
    each('objectPermissions', 'object', (element, object) => {
      if (!CUSTOM_OBJECT.test(inventory.local(object)))
        report(element, 'problem.packagedStandardObject', object);
    });
    each('fieldPermissions', 'field', (element, field) => {
      const fieldName = field.split('.')[1] ?? '';
      if (!fieldName.endsWith('__c')) report(element, 'problem.packagedStandardField', field);
    });
    each('userPermissions', 'name', (element, permission) =>
      report(element, 'problem.packagedUserPermission', permission)
    );
    each('tabSettings', 'tab', (element, tab) => {
      if (tab.startsWith('standard-')) report(element, 'problem.packagedStandardTab', tab);
    });
    each('applicationVisibilities', 'application', (element, app) => {
      if (app.startsWith('standard__')) report(element, 'problem.packagedStandardApp', app);
    });
  }
  return { checked, problems };
}

import type { FlowOrg, SRecord } from './flow-interpreter.ts';

// A fake org for the setup flow: the setup objects it reads and writes, refusing what Salesforce
// refuses with Salesforce's status codes and messages (Object Reference and SOAP API error codes:
// REQUIRED_FIELD_MISSING, DUPLICATE_USERNAME, DUPLICATE_VALUE, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST,
// FIELD_INTEGRITY_EXCEPTION for a permission the user's licence does not allow).

export const API_ONLY_PROFILE = 'Minimum Access - API Only Integrations';
const USER_REQUIRED = [
  'Username',
  'LastName',
  'Email',
  'Alias',
  'TimeZoneSidKey',
  'LocaleSidKey',
  'EmailEncodingKey',
  'LanguageLocaleKey',
  'ProfileId'
];

export interface SetupOrgShape {
  /** objects that exist in the org */
  objects: string[];
  /** Object.Field names a FieldPermissions record may name (the permissionable fields) */
  permissionableFields: string[];
  /** false: the org lacks the Salesforce API Integration licence */
  hasIntegrationLicence?: boolean;
  /** false: the package's Tethr_Integration_User is not installed */
  hasPackagedPermissionSet?: boolean;
}

export class SetupOrg implements FlowOrg {
  readonly tables = new Map<string, SRecord[]>();
  /** every record inserted, in order: the order of operations the flow performed */
  readonly inserted: { object: string; record: SRecord }[] = [];
  private nextId = 1;

  constructor(private readonly shape: SetupOrgShape) {
    this.table('Profile').push(
      { Id: '00eAPI', Name: API_ONLY_PROFILE },
      { Id: '00eADM', Name: 'System Administrator' }
    );
    if (shape.hasIntegrationLicence !== false) {
      this.table('PermissionSetLicense').push({ Id: '0PLAPI', DeveloperName: 'SalesforceAPIIntegrationPsl' });
    }
    if (shape.hasPackagedPermissionSet !== false) {
      this.table('PermissionSet').push({
        Id: '0PSPKG',
        Name: 'Tethr_Integration_User',
        NamespacePrefix: 'tethr'
      });
    }
    this.table('User').push({ Id: '005ADM', Username: 'admin@acme.example', ProfileId: '00eADM' });
  }

  table(object: string): SRecord[] {
    if (!this.tables.has(object)) this.tables.set(object, []);
    return this.tables.get(object)!;
  }

  query(object: string, filters: Record<string, unknown>): SRecord[] {
    return this.table(object).filter((row) => Object.entries(filters).every(([f, v]) => row[f] === v));
  }

  /** All or none, as Create Records with a collection is. */
  insert(object: string, records: SRecord[]): string[] {
    records.forEach((record) => this.refuse(object, record, records));
    return records.map((source) => {
      const record = { ...source, Id: `${object.slice(0, 3)}${String(this.nextId++).padStart(4, '0')}` };
      this.table(object).push(record);
      this.inserted.push({ object, record });
      return record.Id as string;
    });
  }

  private refuse(object: string, record: SRecord, batch: SRecord[]): void {
    const duplicateIn = (rows: SRecord[], keys: string[]): boolean =>
      rows.some((row) => row !== record && keys.every((key) => row[key] === record[key]));
    switch (object) {
      case 'User': {
        const missing = USER_REQUIRED.filter((field) => record[field] === undefined || record[field] === '');
        if (missing.length)
          throw new Error(`REQUIRED_FIELD_MISSING: Required fields are missing: [${missing.join(', ')}]`);
        if (this.query('User', { Username: record.Username }).length)
          throw new Error(
            'DUPLICATE_USERNAME: Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations.'
          );
        return;
      }
      case 'ObjectPermissions':
        if (!this.shape.objects.includes(String(record.SobjectType)))
          throw new Error(
            `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Entity Name: bad value for restricted picklist field: ${record.SobjectType}`
          );
        if (duplicateIn([...this.table(object), ...batch], ['ParentId', 'SobjectType']))
          throw new Error(
            'DUPLICATE_VALUE: duplicate value found: <unknown> duplicates value on record with id: <unknown>'
          );
        return;
      case 'FieldPermissions':
        if (!this.shape.permissionableFields.includes(String(record.Field)))
          throw new Error(
            `INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Field Name: bad value for restricted picklist field: ${record.Field}`
          );
        if (String(record.Field).split('.')[0] !== record.SobjectType)
          throw new Error(
            `FIELD_INTEGRITY_EXCEPTION: Field ${record.Field} does not belong to ${record.SobjectType}`
          );
        if (duplicateIn([...this.table(object), ...batch], ['ParentId', 'Field']))
          throw new Error(
            'DUPLICATE_VALUE: duplicate value found: <unknown> duplicates value on record with id: <unknown>'
          );
        return;
      case 'PermissionSet':
        if (this.query('PermissionSet', { Name: record.Name }).length)
          throw new Error(
            `DUPLICATE_DEVELOPER_NAME: The permission set API name ${record.Name} is already in use.`
          );
        return;
      case 'PermissionSetLicenseAssign':
        if (duplicateIn(this.table(object), ['AssigneeId', 'PermissionSetLicenseId']))
          throw new Error('DUPLICATE_VALUE: This user already has this permission set license assigned.');
        return;
      case 'PermissionSetAssignment': {
        if (duplicateIn(this.table(object), ['AssigneeId', 'PermissionSetId']))
          throw new Error(
            'DUPLICATE_VALUE: Duplicate PermissionSetAssignment. Assignee: this user, PermissionSet: this one'
          );
        const user = this.query('User', { Id: record.AssigneeId })[0];
        const grants = this.query('ObjectPermissions', { ParentId: record.PermissionSetId }).length > 0;
        const licensed =
          this.query('PermissionSetLicenseAssign', { AssigneeId: record.AssigneeId }).length > 0;
        if (user?.ProfileId === '00eAPI' && grants && !licensed)
          throw new Error(
            "FIELD_INTEGRITY_EXCEPTION: The user license doesn't allow the permission: Read on an object of this permission set"
          );
        return;
      }
      default:
        throw new Error(`the fake org does not take inserts of ${object}`);
    }
  }
}

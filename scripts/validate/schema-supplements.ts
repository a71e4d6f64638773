/**
 * Enumerations that the Metadata API WSDL (and so @salesforce/types) types as plain `string`, but whose
 * values Salesforce documents. Kept to the few fields this project sets, each with its doc page; the
 * rest of the schema comes from @salesforce/types only.
 */
export const DOCUMENTED_STRING_ENUMS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> =
  {
    // developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_extlclntappoauthconfigurablepolicies.htm
    // (the legacy ConnectedApp spells the same setting BYPASS, ENFORCE, ...: an easy slip when copying).
    ExtlClntAppOauthConfigurablePolicies: {
      ipRelaxationPolicyType: ['Enforce', 'Bypass', 'Bypass_2factor', 'Enforce_RelaxRefresh']
    }
  };

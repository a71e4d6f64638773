import { readZip } from './zip.ts';
import type { FakeSalesforceServer, Reply } from './server.ts';

export interface ComponentFailure {
  componentType: string;
  fullName: string;
  fileName?: string;
  problem: string;
  problemType?: 'Error' | 'Warning';
}

export interface DeployedComponent {
  type: string;
  fullName: string;
  /** path inside the deploy zip, e.g. extlClntAppOauthPolicies/Tethr_Integration.ecaOauthPlcy */
  fileName: string;
  /** the file's XML (or source) exactly as deployed */
  content: string;
}

export interface FakeDeploy {
  id: string;
  components: DeployedComponent[];
  failures: ComponentFailure[];
  checkOnly: boolean;
  /** how many checkDeployStatus calls answer InProgress before the final answer */
  pollsUntilDone: number;
}

/** Refuses components the way the org would; returns the failures for one deploy. */
export type DeployRule = (components: DeployedComponent[]) => ComponentFailure[];

/** The org's metadata as the fake Metadata API knows it: what was deployed, keyed by "Type:fullName". */
export class FakeMetadataState {
  public readonly deploys: FakeDeploy[] = [];
  public readonly components = new Map<string, DeployedComponent>();
  public readonly rules: DeployRule[] = [];
  /** side effects of a successful deploy (e.g. a deployed app gets a consumer key) */
  public readonly onDeployed: ((components: DeployedComponent[]) => void)[] = [];
  public pollsPerDeploy = 1;
  private counter = 0;

  public nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}${String(this.counter).padStart(12, '0')}AAA`;
  }

  /** Seeds metadata that already exists in the org (readMetadata returns it). */
  public seed(type: string, fullName: string, innerXml: string): void {
    this.components.set(`${type}:${fullName}`, {
      type,
      fullName,
      fileName: '',
      content: `<${type}>${innerXml}</${type}>`
    });
  }

  public get(type: string, fullName: string): DeployedComponent | undefined {
    return this.components.get(`${type}:${fullName}`);
  }
}

const NS = 'http://soap.sforce.com/2006/04/metadata';

function envelope(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns="${NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;
}

function fault(code: string, message: string): Reply {
  return {
    status: 500,
    xml: envelope(
      `<soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${code}: ${escape(message)}</faultstring></soapenv:Fault>`
    )
  };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function operationOf(xml: string): string | undefined {
  return /<(?:\w+:)?Body[^>]*>\s*<(?:\w+:)?(\w+)/.exec(xml)?.[1];
}

function elementText(xml: string, name: string): string[] {
  return [
    ...xml.matchAll(new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:\\w+:)?${name}>`, 'g'))
  ].map((m) => m[1]!);
}

/** Components of a deploy zip: each metadata file, typed by its XML root element. */
function componentsOf(zip: Map<string, Buffer>): DeployedComponent[] {
  const components: DeployedComponent[] = [];
  for (const [path, data] of zip) {
    const name = path.replace(/^[^/]*\//, (prefix) => (zip.has(`${prefix}package.xml`) ? '' : prefix));
    if (name.endsWith('package.xml') || name.endsWith('destructiveChanges.xml')) continue;
    const content = data.toString('utf8');
    const root = /^(?:<\?xml[^>]*\?>\s*)?<(\w+)[\s>]/.exec(content)?.[1];
    const base = name
      .split('/')
      .pop()!
      .replace(/-meta\.xml$/, '');
    const fullName = base.replace(/\.[^.]+$/, '');
    if (!root || name.endsWith('-meta.xml')) {
      // source files with a separate -meta.xml (LWC, static resources) are described by that file
      if (name.endsWith('-meta.xml') && root)
        components.push({ type: root, fullName, fileName: name, content });
      continue;
    }
    components.push({ type: root, fullName, fileName: name, content });
  }
  return components;
}

export function registerMetadataApi(server: FakeSalesforceServer, state: FakeMetadataState): void {
  server.route(
    'POST',
    /^\/services\/Soap\/m\/\d+\.\d$/,
    ({ request }) => {
      const operation = operationOf(request.body);
      switch (operation) {
        case 'deploy':
          return deploy(state, request.body);
        case 'checkDeployStatus':
          return checkDeployStatus(state, request.body);
        case 'readMetadata':
          return readMetadata(state, request.body);
        default:
          return fault(
            'INVALID_OPERATION',
            `the fake Metadata API does not implement ${operation ?? 'this call'}`
          );
      }
    },
    'metadata.soap'
  );
}

function deploy(state: FakeMetadataState, body: string): Reply {
  const zipBase64 = elementText(body, 'ZipFile')[0];
  if (!zipBase64) return fault('INVALID_CROSS_REFERENCE_KEY', 'ZipFile is required');
  const zip = readZip(Buffer.from(zipBase64.replace(/\s+/g, ''), 'base64'));
  const components = componentsOf(zip);
  const failures = state.rules.flatMap((rule) => rule(components));
  const checkOnly = /<(?:\w+:)?checkOnly>true</.test(body);
  const id = state.nextId('0Af');
  state.deploys.push({ id, components, failures, checkOnly, pollsUntilDone: state.pollsPerDeploy });
  if (failures.length === 0 && !checkOnly) {
    for (const component of components)
      state.components.set(`${component.type}:${component.fullName}`, component);
    for (const effect of state.onDeployed) effect(components);
  }
  return {
    xml: envelope(
      `<deployResponse><result><done>false</done><id>${id}</id><state>Queued</state></result></deployResponse>`
    )
  };
}

function checkDeployStatus(state: FakeMetadataState, body: string): Reply {
  const id = elementText(body, 'asyncProcessId')[0] ?? elementText(body, 'id')[0];
  const deploy = state.deploys.find((d) => d.id === id);
  if (!deploy) return fault('INVALID_ID_FIELD', `no deploy with id ${id ?? '(none)'}`);
  const now = new Date().toISOString();
  const total = deploy.components.length;
  if (deploy.pollsUntilDone > 0) {
    deploy.pollsUntilDone -= 1;
    return {
      xml: envelope(
        `<checkDeployStatusResponse><result><checkOnly>${deploy.checkOnly}</checkOnly><createdDate>${now}</createdDate><done>false</done><id>${deploy.id}</id><ignoreWarnings>false</ignoreWarnings><numberComponentErrors>0</numberComponentErrors><numberComponentsDeployed>0</numberComponentsDeployed><numberComponentsTotal>${total}</numberComponentsTotal><numberTestErrors>0</numberTestErrors><numberTestsCompleted>0</numberTestsCompleted><numberTestsTotal>0</numberTestsTotal><rollbackOnError>true</rollbackOnError><runTestsEnabled>false</runTestsEnabled><status>InProgress</status><success>false</success></result></checkDeployStatusResponse>`
      )
    };
  }
  const failed = deploy.failures.length > 0;
  const failedNames = new Set(deploy.failures.map((f) => `${f.componentType}:${f.fullName}`));
  const successes = failed
    ? ''
    : deploy.components
        .filter((c) => !failedNames.has(`${c.type}:${c.fullName}`))
        .map(
          (c) =>
            `<componentSuccesses><changed>true</changed><componentType>${c.type}</componentType><created>true</created><createdDate>${now}</createdDate><deleted>false</deleted><fileName>${escape(c.fileName)}</fileName><fullName>${escape(c.fullName)}</fullName><success>true</success></componentSuccesses>`
        )
        .join('');
  const failures = deploy.failures
    .map(
      (f) =>
        `<componentFailures><changed>false</changed><componentType>${f.componentType}</componentType><created>false</created><createdDate>${now}</createdDate><deleted>false</deleted><fileName>${escape(f.fileName ?? deploy.components.find((c) => c.type === f.componentType && c.fullName === f.fullName)?.fileName ?? '')}</fileName><fullName>${escape(f.fullName)}</fullName><problem>${escape(f.problem)}</problem><problemType>${f.problemType ?? 'Error'}</problemType><success>false</success></componentFailures>`
    )
    .join('');
  return {
    xml: envelope(
      `<checkDeployStatusResponse><result><checkOnly>${deploy.checkOnly}</checkOnly><completedDate>${now}</completedDate><createdDate>${now}</createdDate><details>${successes}${failures}</details><done>true</done><id>${deploy.id}</id><ignoreWarnings>false</ignoreWarnings><numberComponentErrors>${deploy.failures.length}</numberComponentErrors><numberComponentsDeployed>${failed ? 0 : total}</numberComponentsDeployed><numberComponentsTotal>${total}</numberComponentsTotal><numberTestErrors>0</numberTestErrors><numberTestsCompleted>0</numberTestsCompleted><numberTestsTotal>0</numberTestsTotal><rollbackOnError>true</rollbackOnError><runTestsEnabled>false</runTestsEnabled><startDate>${now}</startDate><status>${failed ? 'Failed' : 'Succeeded'}</status><success>${!failed}</success></result></checkDeployStatusResponse>`
    )
  };
}

function readMetadata(state: FakeMetadataState, body: string): Reply {
  const type = elementText(body, 'type')[0] ?? '';
  const names = elementText(body, 'fullNames');
  const records = names
    .map((name) => state.get(type, name))
    .map((component, index) => {
      if (!component) return '<records xsi:nil="true"/>';
      const inner = component.content
        .replace(/^(?:<\?xml[^>]*\?>\s*)?<\w+[^>]*>/, '')
        .replace(/<\/\w+>\s*$/, '');
      return `<records xsi:type="${type}"><fullName>${escape(names[index]!)}</fullName>${inner}</records>`;
    })
    .join('');
  return { xml: envelope(`<readMetadataResponse><result>${records}</result></readMetadataResponse>`) };
}

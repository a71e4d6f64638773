import { CommandHelp, Help, type Command, type HelpSection, type HelpSectionRenderer } from '@oclif/core';

// The standalone binary's help, laid out the way sf lays out help for its plugins (under sf, sf's
// own help class does this for `sf tethr ...`): `-h` is the short form, usage and flags only;
// `--help` and `help <command>` the full form, which adds the ENVIRONMENT VARIABLES section each
// command declares (envVariablesSection, scripts/commands/env-vars.ts) after the examples and
// flag descriptions. lib/standalone/package.json names this file as oclif's helpClass.

const SHORT_HELP_SECTIONS = new Set(['USAGE', 'ARGUMENTS', 'FLAGS']);

class TethrCommandHelp extends CommandHelp {
  public shortHelp = false;

  protected override sections(): ReturnType<CommandHelp['sections']> {
    const sections = super.sections();
    if (this.shortHelp) return sections.filter(({ header }) => SHORT_HELP_SECTIONS.has(header));
    const environment: { header: string; generate: HelpSectionRenderer } = {
      header: 'ENVIRONMENT VARIABLES',
      generate: ({ cmd }) => (cmd as { envVariablesSection?: HelpSection }).envVariablesSection
    };
    const examples = sections.findIndex(({ header }) => header === 'EXAMPLES');
    const descriptions = sections.findIndex(({ header }) => header === 'FLAG DESCRIPTIONS');
    const after = Math.max(examples, descriptions);
    return [...sections.slice(0, after + 1), environment, ...sections.slice(after + 1)];
  }
}

export default class TethrHelp extends Help {
  #shortHelp = false;

  public override async showHelp(argv: string[]): Promise<void> {
    this.#shortHelp = argv.includes('-h');
    return super.showHelp(argv);
  }

  protected override getCommandHelpClass(command: Command.Loadable): CommandHelp {
    const help = new TethrCommandHelp(command, this.config, this.opts);
    help.shortHelp = this.#shortHelp;
    return help;
  }
}

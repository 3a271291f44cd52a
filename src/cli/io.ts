/** What every CLI verb is given and returns: the table in main.ts holds these, the verbs implement them. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  /**
   * The process runs this one command and ends with it (bin/zkgpu.js), so a command may tune
   * process-wide settings (V8's flags) for itself. Unset when main() runs inside another
   * program (tests, embedders).
   */
  ownProcess?: boolean;
}

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** The command's own --help text. */
  usage(): Promise<string>;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[], io: CliIO): Promise<number>;
}

import { main } from './main';

// The bundled CLI's entry: run and exit with the contract's code.
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`tinyops: internal error: ${String(err)}\n`);
    process.exitCode = 1;
  },
);

// Starts s3rver with its own command line (the package ships its CLI module but no bin file).
// Usage: node run.js -d DIR -a 127.0.0.1 -p PORT --key KEY --cert CERT --configure-bucket NAME
require('@20minutes/s3rver/lib/cli').parseAsync(process.argv);

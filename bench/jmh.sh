#!/usr/bin/env bash
# In-process benchmarks of the verifier (JMH). Usage: bench/jmh.sh [JMH args], e.g.
#   bench/jmh.sh                         # everything (about 6 minutes)
#   bench/jmh.sh 'distinctTokens$' -p alg=ES256
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
exec java -cp "target/test-classes:target/classes:$(cat target/bench-classpath.txt)" org.openjdk.jmh.Main \
  "${@:-io.github.kubeoidc.bench.PipelineBenchmark}"

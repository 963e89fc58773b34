#!/usr/bin/env bash
# Open MPI launch agent (`--mca plm_rsh_agent`) for "hosts" that are network namespaces of this
# machine — how the two-host test runs Open MPI over TCP without a second machine. Open MPI calls
# it as ssh: `agent HOST COMMAND-LINE`; it runs COMMAND-LINE with a shell in HOST's namespace,
# under the namespace's name as host name. DENDRITE_NETNS_HOSTS maps hosts to namespaces:
#     DENDRITE_NETNS_HOSTS=10.77.0.1=dd-host1,10.77.0.2=dd-host2
set -euo pipefail
host=$1
shift
namespace=""
IFS=, read -ra pairs <<< "${DENDRITE_NETNS_HOSTS:-}"
for pair in "${pairs[@]}"; do
    [ "${pair%%=*}" = "$host" ] && namespace=${pair#*=}
done
if [ -z "$namespace" ]; then
    echo "netns-launch-agent: no namespace for host $host in DENDRITE_NETNS_HOSTS" >&2
    exit 1
fi
exec ip netns exec "$namespace" unshare --uts sh -c "hostname $namespace; $*"

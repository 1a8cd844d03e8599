"""What a container tells its runtime about memory: the environment variables each runtime
reads (data, no logic). Only these variables' values are ever kept from a pod spec: an env
value may be a password typed in literally, and exitwhy never prints one."""

from __future__ import annotations

# name -> the runtime that reads it
MEMORY_ENV: dict[str, str] = {
    "JAVA_TOOL_OPTIONS": "jvm",  # read by the JVM itself, before the command line
    "JDK_JAVA_OPTIONS": "jvm",  # read by the `java` launcher (JDK 9+), before its arguments
    "_JAVA_OPTIONS": "jvm",  # read by the JVM, after the command line: it wins
    "JAVA_OPTS": "jvm",  # a start-script convention: the JVM never reads it itself
    "KAFKA_HEAP_OPTS": "jvm",  # Kafka's start scripts (default -Xmx1G -Xms1G)
    "ES_JAVA_OPTS": "jvm",  # Elasticsearch's start scripts
    "NODE_OPTIONS": "node",
    "GOMEMLIMIT": "go",
    "GOGC": "go",
    "DOTNET_GCHeapHardLimit": "dotnet",
    "DOTNET_GCHeapHardLimitPercent": "dotnet",
    "COMPlus_GCHeapHardLimit": "dotnet",
    "COMPlus_GCHeapHardLimitPercent": "dotnet",
}

# read by an image's start script, not by the runtime: they count when the command is the
# image's own (not given in the spec) or when the command names them
SCRIPT_ENV = ("JAVA_OPTS", "KAFKA_HEAP_OPTS", "ES_JAVA_OPTS")

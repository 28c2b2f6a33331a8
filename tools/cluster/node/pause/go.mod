module knative-tracing-counter/tools/cluster/node/pause

go 1.24

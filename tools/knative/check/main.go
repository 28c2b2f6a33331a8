// Command knative-check runs Knative Serving's own admission code (the webhook of
// knative.dev/serving, cmd/webhook) on Kubernetes objects, without a cluster.
//
// It reads a YAML (multi-document) or JSON stream on stdin and prints one JSON line per
// object: {"apiVersion","kind","namespace","name","allowed","message"}, plus "warnings" when
// Knative has some. The message of a refused object is the one the webhook answers with. It
// exits 0 when it ran, even if it refused objects, and 2 when the input cannot be read.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"knative.dev/pkg/system"
)

// Verdict is one output line.
type Verdict struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace"`
	Name       string   `json:"name"`
	Allowed    bool     `json:"allowed"`
	Message    string   `json:"message"`
	Warnings   []string `json:"warnings,omitempty"`
}

type header struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
	} `json:"metadata"`
}

func main() {
	// Knative's config code asks for the system namespace; in a cluster the Deployment sets it.
	if os.Getenv(system.NamespaceEnvKey) == "" {
		os.Setenv(system.NamespaceEnvKey, "knative-serving")
	}
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "knative-check: unreadable input: %v\n", err)
		os.Exit(2)
	}
}

func run(in io.Reader, out io.Writer) error {
	decoder := utilyaml.NewYAMLOrJSONDecoder(in, 4096)
	encoder := json.NewEncoder(out)
	encoder.SetEscapeHTML(false)
	for document := 1; ; document++ {
		var raw json.RawMessage
		if err := decoder.Decode(&raw); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("document %d: %w", document, err)
		}
		if len(raw) == 0 || string(raw) == "null" {
			continue // an empty YAML document
		}
		var head header
		if err := json.Unmarshal(raw, &head); err != nil {
			return fmt.Errorf("document %d is not an object: %w", document, err)
		}
		if head.APIVersion == "" || head.Kind == "" {
			return fmt.Errorf("document %d has no apiVersion or kind", document)
		}
		verdict := Verdict{
			APIVersion: head.APIVersion,
			Kind:       head.Kind,
			Namespace:  head.Metadata.Namespace,
			Name:       head.Metadata.Name,
		}
		check(raw, &verdict)
		if err := encoder.Encode(verdict); err != nil {
			return err
		}
	}
}

// check fills in the verdict as the webhook that would see the object decides.
func check(raw []byte, verdict *Verdict) {
	defer func() {
		// A panic in Knative's code fails the webhook call, and the API server refuses the object.
		if r := recover(); r != nil {
			verdict.Allowed, verdict.Message = false, fmt.Sprintf("the webhook panicked: %v", r)
		}
	}()
	gvk := schema.FromAPIVersionAndKind(verdict.APIVersion, verdict.Kind)
	switch {
	case types[gvk] != nil:
		checkResource(raw, gvk, verdict)
	case gvk == configMapKind && verdict.Namespace == system.Namespace():
		checkConfigMap(raw, verdict)
	case isKnativeGroup(gvk.Group):
		// Not served by Serving's CRDs: the API server refuses it, and the webhook would too.
		verdict.Allowed, verdict.Message = false, fmt.Sprintf("unhandled kind: %v", gvk)
	default:
		verdict.Allowed, verdict.Message = true, "not a Knative object"
	}
}

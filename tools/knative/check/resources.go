package main

// Knative's own resources, admitted as cmd/webhook/main.go of knative.dev/serving v0.50.0 admits
// them on create: the defaulting webhook (webhook.serving.knative.dev), then the validation
// webhook (validation.webhook.serving.knative.dev) on the defaulted object, then its callbacks.

import (
	"context"
	"encoding/json"

	"go.uber.org/zap"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"knative.dev/pkg/apis"
	"knative.dev/pkg/logging"
	"knative.dev/pkg/system"
	"knative.dev/pkg/webhook"
	pkgjson "knative.dev/pkg/webhook/json"
	"knative.dev/pkg/webhook/resourcesemantics"
	kjson "sigs.k8s.io/json"

	net "knative.dev/networking/pkg/apis/networking/v1alpha1"
	autoscalingv1alpha1 "knative.dev/serving/pkg/apis/autoscaling/v1alpha1"
	apisconfig "knative.dev/serving/pkg/apis/config"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	servingv1beta1 "knative.dev/serving/pkg/apis/serving/v1beta1"
	asconfig "knative.dev/serving/pkg/autoscaler/config"
	extravalidation "knative.dev/serving/pkg/webhook"
)

// types and callbacks are copied from cmd/webhook/main.go.
var types = map[schema.GroupVersionKind]resourcesemantics.GenericCRD{
	servingv1.SchemeGroupVersion.WithKind("Revision"):      &servingv1.Revision{},
	servingv1.SchemeGroupVersion.WithKind("Configuration"): &servingv1.Configuration{},
	servingv1.SchemeGroupVersion.WithKind("Route"):         &servingv1.Route{},
	servingv1.SchemeGroupVersion.WithKind("Service"):       &servingv1.Service{},

	autoscalingv1alpha1.SchemeGroupVersion.WithKind("PodAutoscaler"): &autoscalingv1alpha1.PodAutoscaler{},
	autoscalingv1alpha1.SchemeGroupVersion.WithKind("Metric"):        &autoscalingv1alpha1.Metric{},

	net.SchemeGroupVersion.WithKind("Certificate"):       &net.Certificate{},
	net.SchemeGroupVersion.WithKind("Ingress"):           &net.Ingress{},
	net.SchemeGroupVersion.WithKind("ServerlessService"): &net.ServerlessService{},

	servingv1beta1.SchemeGroupVersion.WithKind("DomainMapping"): &servingv1beta1.DomainMapping{},
}

// The callbacks only act on dry-run requests (they dry-run the pod); a plain create passes them.
var callbacks = map[schema.GroupVersionKind]func(context.Context, *unstructured.Unstructured) error{
	servingv1.SchemeGroupVersion.WithKind("Service"):       extravalidation.ValidateService,
	servingv1.SchemeGroupVersion.WithKind("Configuration"): extravalidation.ValidateConfiguration,
}

func isKnativeGroup(group string) bool {
	for gvk := range types {
		if gvk.Group == group {
			return true
		}
	}
	return false
}

// The API server always names the user; the defaulting webhook records it in annotations.
var requester = authenticationv1.UserInfo{Username: "knative-check"}

// admissionContext is what the webhook's store.ToContext gives with Knative's default
// config-defaults, config-features and config-autoscaler (their release versions hold only
// "_example", which the parsers ignore), for a create by requester.
func admissionContext() context.Context {
	ctx := logging.WithLogger(context.Background(), zap.NewNop().Sugar())
	store := apisconfig.NewStore(logging.FromContext(ctx))
	for _, name := range []string{apisconfig.DefaultsConfigName, apisconfig.FeaturesConfigName, asconfig.ConfigName} {
		store.OnConfigChanged(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: system.Namespace()}})
	}
	return apis.WithUserInfo(apis.WithinCreate(store.ToContext(ctx)), &requester)
}

func refuse(verdict *Verdict, reason string, err error) {
	verdict.Allowed = false
	verdict.Message = webhook.MakeErrorStatus(reason, err).Result.Message
}

// refuseUnknownFields refuses what the API server refuses before any webhook sees it. Serving's
// webhooks decode with disallowUnknownFields=false ("our CRDs have schemas"), and the ConfigMap
// webhook with plain encoding/json: unknown fields never reach them. The API server refuses them
// with a strict decoding error when the client asks for strict field validation (kubectl's
// default), else drops them with a warning. This is Kubernetes' strict decoder on the same Go
// types, giving that message. (Knative's CRD schemas leave out some PodSpec fields the Go types
// have; Knative's validation refuses those by name.)
func refuseUnknownFields(raw []byte, into any, verdict *Verdict) bool {
	strict, err := kjson.UnmarshalStrict(raw, into, kjson.DisallowUnknownFields)
	if err != nil || len(strict) == 0 {
		return false // a malformed object is left to the webhook's own decoding, and its message
	}
	verdict.Allowed, verdict.Message = false, runtime.NewStrictDecodingError(strict).Error()
	return true
}

func checkResource(raw []byte, gvk schema.GroupVersionKind, verdict *Verdict) {
	if refuseUnknownFields(raw, types[gvk].DeepCopyObject(), verdict) {
		return
	}

	// The defaulting webhook.
	object := types[gvk].DeepCopyObject().(resourcesemantics.GenericCRD)
	if err := pkgjson.Decode(raw, object, false); err != nil {
		refuse(verdict, "mutation failed: cannot decode incoming new object: %v", err)
		return
	}
	object.SetDefaults(admissionContext())
	// The API server applies the defaulting patch and sends the result on.
	defaulted, err := json.Marshal(object)
	if err != nil {
		refuse(verdict, "mutation failed: %v", err)
		return
	}

	// The validation webhook.
	object = types[gvk].DeepCopyObject().(resourcesemantics.GenericCRD)
	if err := pkgjson.Decode(defaulted, object, false); err != nil {
		refuse(verdict, "decoding request failed: cannot decode incoming new object: %v", err)
		return
	}
	if result := object.Validate(admissionContext()); result != nil {
		for _, warning := range result.Filter(apis.WarningLevel).WrappedErrors() {
			verdict.Warnings = append(verdict.Warnings, warning.Error())
		}
		if errs := result.Filter(apis.ErrorLevel); errs != nil {
			refuse(verdict, "validation failed: %v", errs)
			return
		}
	}
	if callback := callbacks[gvk]; callback != nil {
		content := &unstructured.Unstructured{}
		if err := content.UnmarshalJSON(defaulted); err != nil {
			refuse(verdict, "validation callback failed: %v", err)
			return
		}
		if err := callback(admissionContext(), content); err != nil {
			refuse(verdict, "validation callback failed: %v", err)
			return
		}
	}
	verdict.Allowed = true
}

package main

// Knative's ConfigMaps, admitted as Serving's config validation webhook
// (config.webhook.serving.knative.dev, knative.dev/pkg/webhook/configmaps) admits them.

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"

	"go.uber.org/zap"
	corev1 "k8s.io/api/core/v1"
	"knative.dev/pkg/configmap"
	"knative.dev/pkg/leaderelection"
	"knative.dev/pkg/logging"

	netcfg "knative.dev/networking/pkg/config"
	apisconfig "knative.dev/serving/pkg/apis/config"
	autoscalerconfig "knative.dev/serving/pkg/autoscaler/config"
	"knative.dev/serving/pkg/deployment"
	"knative.dev/serving/pkg/gc"
	o11yconfigmap "knative.dev/serving/pkg/observability/configmap"
	certconfig "knative.dev/serving/pkg/reconciler/certificate/config"
	domainconfig "knative.dev/serving/pkg/reconciler/route/config"
)

var configMapKind = corev1.SchemeGroupVersion.WithKind("ConfigMap")

// constructors is copied from newConfigValidationController in cmd/webhook/main.go.
func constructors(ctx context.Context) configmap.Constructors {
	return configmap.Constructors{
		autoscalerconfig.ConfigName:      autoscalerconfig.NewConfigFromConfigMap,
		gc.ConfigName:                    gc.NewConfigFromConfigMapFunc(ctx),
		netcfg.ConfigMapName:             netcfg.NewConfigFromConfigMap,
		deployment.ConfigName:            deployment.NewConfigFromConfigMap,
		apisconfig.FeaturesConfigName:    apisconfig.NewFeaturesConfigFromConfigMap,
		o11yconfigmap.Name():             o11yconfigmap.Parse,
		logging.ConfigMapName():          logging.NewConfigFromConfigMap,
		leaderelection.ConfigMapName():   leaderelection.NewConfigFromConfigMap,
		domainconfig.DomainConfigName:    domainconfig.NewDomainFromConfigMap,
		apisconfig.DefaultsConfigName:    apisconfig.NewDefaultsConfigFromConfigMap,
		certconfig.CertManagerConfigName: certconfig.NewCertManagerConfigFromConfigMap,
	}
}

// checkConfigMap mirrors the webhook's validate (knative.dev/pkg/webhook/configmaps): a name it has
// no constructor for passes unvalidated, and so does it here. The webhook's objectSelector asks
// for Knative's labels; ours are applied into Knative's own ConfigMaps, which carry them.
func checkConfigMap(raw []byte, verdict *Verdict) {
	var object corev1.ConfigMap
	if refuseUnknownFields(raw, &corev1.ConfigMap{}, verdict) {
		return
	}
	if err := json.Unmarshal(raw, &object); err != nil {
		refuse(verdict, "validation failed: %v", fmt.Errorf("cannot decode incoming new object: %w", err))
		return
	}
	ctx := logging.WithLogger(context.Background(), zap.NewNop().Sugar())
	constructor, known := constructors(ctx)[object.Name]
	if !known {
		verdict.Allowed, verdict.Message = true, "not validated by Knative: no config validation for this name"
		return
	}
	example, hasExample := object.Data[configmap.ExampleKey]
	checksum, hasChecksum := object.Annotations[configmap.ExampleChecksumAnnotation]
	if hasExample && hasChecksum && checksum != configmap.Checksum(example) {
		refuse(verdict, "validation failed: %v", fmt.Errorf(
			"the update modifies a key in %q which is probably not what you want. Instead, copy the respective setting to the top-level of the ConfigMap, directly below %q",
			configmap.ExampleKey, "data"))
		return
	}
	outputs := reflect.ValueOf(constructor).Call([]reflect.Value{reflect.ValueOf(&object)})
	if err := outputs[1]; !err.IsNil() {
		refuse(verdict, "validation failed: %v", err.Interface().(error))
		return
	}
	verdict.Allowed = true
}

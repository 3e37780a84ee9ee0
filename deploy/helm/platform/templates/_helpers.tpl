{{/*
Helpers shared by every template. Per-component templates range over `.Values.services`
(plus the in-cluster database) and call these, so no resource is written out per service.
Most helpers take a dict: (dict "root" $ "name" "<component>").
*/}}

{{/* Resource name of a component: <release>-<component>, within the 63-character limit. */}}
{{- define "platform.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* Name of a release-wide object (no component): <release>-<suffix>. */}}
{{- define "platform.releaseName" -}}
{{- printf "%s-%s" .root.Release.Name .suffix | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* Labels that select one component's pods: stable across upgrades (selectors are immutable). */}}
{{- define "platform.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/* Labels every pod of the release carries (docs/contract.md §6, labels), so release-wide policies select them all. */}}
{{- define "platform.releaseSelectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: platform
{{- end }}

{{/* The labels of a component's pods (docs/contract.md §6): name, instance, part-of and component. */}}
{{- define "platform.podLabels" -}}
{{ include "platform.selectorLabels" . }}
app.kubernetes.io/part-of: platform
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels of every object: the pod labels plus version and chart bookkeeping. */}}
{{- define "platform.labels" -}}
{{ include "platform.podLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of release-wide objects (policies, ingress, rules). */}}
{{- define "platform.releaseLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: platform
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full image reference from an image block, falling back to the global registry and tag. */}}
{{- define "platform.image" -}}
{{- $global := .root.Values.global.image -}}
{{- $registry := .image.registry | default $global.registry -}}
{{- $tag := .image.tag | default $global.tag | default .root.Chart.AppVersion -}}
{{- if $registry -}}
{{- printf "%s/%s:%s" $registry .image.repository $tag -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end }}

{{/*
Every component of the release with its component label (docs/contract.md §6) and named ports, as YAML
(read back with fromYaml). The in-cluster database is one of them; an external one is not.
*/}}
{{- define "platform.components" -}}
{{- range $name, $service := .Values.services }}
{{ $name }}:
  component: {{ $service.component }}
  ports:
    http: {{ $service.httpPort }}
    {{- if $service.managementPort }}
    management: {{ $service.managementPort }}
    {{- end }}
{{- end }}
{{- if eq .Values.mongodb.mode "inCluster" }}
mongodb:
  component: database
  ports:
    mongodb: {{ .Values.mongodb.port }}
{{- end }}
{{- end }}

{{/* Secret holding each API service's MongoDB connection string (<service>-mongo-url). */}}
{{- define "platform.databaseSecretName" -}}
{{- if eq .Values.mongodb.mode "external" -}}
{{- required "mongodb.external.existingSecret is required when mongodb.mode is external: a Secret with <service>-mongo-url keys" .Values.mongodb.external.existingSecret -}}
{{- else -}}
{{- .Values.mongodb.inCluster.existingSecret | default (include "platform.fullname" (dict "root" . "name" "mongodb")) -}}
{{- end -}}
{{- end }}

{{/* Secret holding the JWT signing key. */}}
{{- define "platform.jwtSecretName" -}}
{{- .Values.jwt.existingSecret | default (include "platform.releaseName" (dict "root" . "suffix" "jwt")) -}}
{{- end }}

{{/* Spreads a component's replicas across zones and hosts. */}}
{{- define "platform.topologySpread" -}}
{{- $spread := .root.Values.global.topologySpread -}}
{{- if $spread.enabled }}
topologySpreadConstraints:
  {{- range $level := list $spread.zone $spread.host }}
  - maxSkew: {{ $spread.maxSkew }}
    topologyKey: {{ $level.topologyKey }}
    whenUnsatisfiable: {{ $level.whenUnsatisfiable }}
    labelSelector:
      matchLabels:
        {{- include "platform.selectorLabels" $ | nindent 8 }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by every workload. */}}
{{- define "platform.podCommon" -}}
{{- $global := .root.Values.global -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml $global.podSecurityContext | nindent 2 }}
terminationGracePeriodSeconds: {{ $global.terminationGracePeriodSeconds }}
{{- with $global.imagePullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with $global.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $global.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* An httpGet probe on a named port. */}}
{{- define "platform.httpProbe" -}}
httpGet:
  path: {{ .path }}
  port: {{ .port }}
periodSeconds: {{ .period }}
timeoutSeconds: 3
failureThreshold: {{ .failures }}
{{- end }}

{{/*
The Deployment of one service (dict "root" $ "name" name "service" values). Probes use the
management port when the service has one, else the http port (the web app's static server).
*/}}
{{- define "platform.deployment" -}}
{{- $root := .root -}}
{{- $name := .name -}}
{{- $service := .service -}}
{{- $ctx := dict "root" $root "name" $name "component" $service.component -}}
{{- $probePort := ternary "management" "http" (gt (int $service.managementPort) 0) -}}
{{- $caBundle := and $service.usesDatabase (eq $root.Values.mongodb.mode "external") $root.Values.mongodb.external.caBundle.configMap -}}
{{- $mounts := or $service.writablePaths $service.signsTokens $caBundle -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "platform.fullname" $ctx }}
  labels:
    {{- include "platform.labels" $ctx | nindent 4 }}
spec:
  {{- if not $service.autoscaling.enabled }}
  replicas: {{ $service.replicas }}
  {{- end }}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "platform.selectorLabels" $ctx | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      # Start a new pod before an old one goes: capacity never drops during a rollout.
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "platform.podLabels" $ctx | nindent 8 }}
      annotations:
        checksum/config: {{ include "platform.serviceEnv" $ctx | sha256sum }}
        {{- with $service.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "platform.fullname" $ctx }}
      {{- include "platform.podCommon" $ctx | nindent 6 }}
      {{- include "platform.topologySpread" $ctx | nindent 6 }}
      containers:
        - name: {{ $name }}
          image: {{ include "platform.image" (dict "root" $root "image" $service.image) }}
          imagePullPolicy: {{ $root.Values.global.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ $service.httpPort }}
              protocol: TCP
            {{- if $service.managementPort }}
            - name: management
              containerPort: {{ $service.managementPort }}
              protocol: TCP
            {{- end }}
          {{- if eq $service.component "api" }}
          envFrom:
            - configMapRef:
                name: {{ include "platform.fullname" $ctx }}
          {{- end }}
          {{- if or $service.usesDatabase $service.secretEnv }}
          env:
            {{- if $service.usesDatabase }}
            - name: MONGO_URL
              valueFrom:
                secretKeyRef:
                  name: {{ include "platform.databaseSecretName" $root }}
                  key: {{ $name }}-mongo-url
            {{- end }}
            {{- if $caBundle }}
            - name: NODE_EXTRA_CA_CERTS
              value: /etc/platform/database-ca/ca.pem
            {{- end }}
            {{- range $variable, $ref := $service.secretEnv }}
            - name: {{ $variable }}
              valueFrom:
                secretKeyRef:
                  name: {{ $ref.secret }}
                  key: {{ $ref.key }}
            {{- end }}
          {{- end }}
          startupProbe:
            {{- include "platform.httpProbe" (dict "path" $service.probePaths.startup "port" $probePort "period" 2 "failures" 30) | nindent 12 }}
          livenessProbe:
            {{- if $service.probePaths.liveness }}
            {{- include "platform.httpProbe" (dict "path" $service.probePaths.liveness "port" $probePort "period" 10 "failures" 3) | nindent 12 }}
            {{- else }}
            tcpSocket:
              port: {{ $probePort }}
            periodSeconds: 10
            timeoutSeconds: 3
            failureThreshold: 3
            {{- end }}
          readinessProbe:
            {{- include "platform.httpProbe" (dict "path" $service.probePaths.readiness "port" $probePort "period" 5 "failures" 2) | nindent 12 }}
          resources:
            {{- toYaml $service.resources | nindent 12 }}
          securityContext:
            {{- toYaml $root.Values.global.containerSecurityContext | nindent 12 }}
          {{- if $mounts }}
          volumeMounts:
            {{- range $index, $path := $service.writablePaths }}
            - name: writable-{{ $index }}
              mountPath: {{ $path }}
            {{- end }}
            {{- if $service.signsTokens }}
            - name: jwt
              mountPath: /var/run/secrets/platform/jwt
              readOnly: true
            {{- end }}
            {{- if $caBundle }}
            - name: database-ca
              mountPath: /etc/platform/database-ca
              readOnly: true
            {{- end }}
          {{- end }}
      {{- if $mounts }}
      volumes:
        {{- range $index, $path := $service.writablePaths }}
        - name: writable-{{ $index }}
          emptyDir:
            sizeLimit: 32Mi
        {{- end }}
        {{- if $service.signsTokens }}
        - name: jwt
          secret:
            secretName: {{ include "platform.jwtSecretName" $root }}
            defaultMode: 0440
            items:
              - key: {{ $root.Values.jwt.privateKeyKey }}
                path: private-key.pem
              {{- with $root.Values.jwt.previousPublicKeysKey }}
              - key: {{ . }}
                path: previous-public-keys.pem
              {{- end }}
        {{- end }}
        {{- if $caBundle }}
        - name: database-ca
          configMap:
            name: {{ $caBundle }}
            items:
              - key: {{ $root.Values.mongodb.external.caBundle.key }}
                path: ca.pem
        {{- end }}
      {{- end }}
{{- end }}

{{/* The plain environment of an API service (its ConfigMap's data). */}}
{{- define "platform.serviceEnv" -}}
{{- $root := .root -}}
{{- $service := get $root.Values.services .name -}}
{{- $env := dict "NODE_ENV" "production" "LOG_LEVEL" $root.Values.global.logLevel "PORT" (toString $service.httpPort) -}}
{{- if $service.managementPort }}{{ $_ := set $env "MANAGEMENT_PORT" (toString $service.managementPort) }}{{ end -}}
{{- /* Stop taking new work a moment before closing, while endpoints drop the terminating pod. */ -}}
{{- $_ := set $env "SHUTDOWN_DELAY" "5s" -}}
{{- if or $service.signsTokens $service.verifiesTokens -}}
{{- $_ := set $env "JWT_ISSUER" $root.Values.jwt.issuer -}}
{{- $_ := set $env "JWT_AUDIENCE" $root.Values.jwt.audience -}}
{{- end -}}
{{- if $service.signsTokens -}}
{{- $_ := set $env "JWT_PRIVATE_KEY_FILE" "/var/run/secrets/platform/jwt/private-key.pem" -}}
{{- if $root.Values.jwt.previousPublicKeysKey -}}
{{- $_ := set $env "JWT_PREVIOUS_PUBLIC_KEYS_FILE" "/var/run/secrets/platform/jwt/previous-public-keys.pem" -}}
{{- end -}}
{{- end -}}
{{- range $variable, $target := $service.serviceUrls -}}
{{- $callee := get $root.Values.services $target.service -}}
{{- if not $callee -}}
{{- fail (printf "services.%s.serviceUrls.%s names the unknown service %q" $.name $variable $target.service) -}}
{{- end -}}
{{- $host := include "platform.fullname" (dict "root" $root "name" $target.service) -}}
{{- $_ := set $env $variable (printf "http://%s:%v%s" $host $callee.httpPort ($target.path | default "")) -}}
{{- end -}}
{{- range $variable, $value := $service.env -}}
{{- $_ := set $env $variable (toString $value) -}}
{{- end -}}
{{- toYaml $env -}}
{{- end }}

{{/* A NetworkPolicy peer for a named external caller (ingress controller, Prometheus). */}}
{{- define "platform.peer" -}}
{{- $peer := .peer -}}
{{- $peers := list -}}
{{- $selector := dict -}}
{{- if kindIs "map" (get $peer "namespaceSelector") }}{{ $_ := set $selector "namespaceSelector" $peer.namespaceSelector }}{{ end -}}
{{- if kindIs "map" (get $peer "podSelector") }}{{ $_ := set $selector "podSelector" $peer.podSelector }}{{ end -}}
{{- if $selector }}{{ $peers = append $peers $selector }}{{ end -}}
{{- range $cidr := $peer.ipBlocks }}{{ $peers = append $peers (dict "ipBlock" (dict "cidr" $cidr)) }}{{ end -}}
{{- if not $peers -}}
{{- fail (printf "networkPolicy.peers.%s admits nothing: give it a namespaceSelector, a podSelector or ipBlocks" .name) -}}
{{- end -}}
{{- toYaml $peers -}}
{{- end }}

{{/* The in-cluster database's first-start script: one user per service, limited to its own database. */}}
{{- define "platform.mongodbInitScript" -}}
{{- range $name, $service := .Values.services }}
{{- if $service.usesDatabase }}
db.getSiblingDB({{ $name | quote }}).createUser({
  user: {{ $name | quote }},
  pwd: process.env[{{ printf "%s_PASSWORD" ($name | upper) | quote }}],
  roles: [{ role: 'readWrite', db: {{ $name | quote }} }],
});
{{- end }}
{{- end }}
{{- end }}


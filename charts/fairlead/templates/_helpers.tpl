{{/* The chart's name, or nameOverride; a DNS label. */}}
{{- define "fairlead.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The prefix of every object name: fullnameOverride, else the release name when it already says the chart's name,
else "<release>-<name>". Kept at 50 characters so that suffixes such as "-allocator" fit in 63.
*/}}
{{- define "fairlead.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := include "fairlead.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels that select the pods of this release; they never change after install. */}}
{{- define "fairlead.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fairlead.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "fairlead.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "fairlead.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: control-plane
app.kubernetes.io/part-of: fairlead
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "fairlead.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- .Values.serviceAccount.name | default (include "fairlead.fullname" .) }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "fairlead.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion | toString) }}
{{- end }}

{{/* A label map as the k=v,k2=v2 the --watch-* flags take, keys in sorted order. */}}
{{- define "fairlead.labelFlag" -}}
{{- $pairs := list }}
{{- range $key, $value := . }}
{{- $pairs = append $pairs (printf "%s=%s" $key (toString $value)) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}

{{/* Fails the render, naming the value, when values contradict each other or the binary would refuse them. */}}
{{- define "fairlead.validate" -}}
{{- if and .Values.allocator.plaintext .Values.allocator.tls.secretName }}
{{- fail "allocator.plaintext excludes allocator.tls.secretName: choose TLS or plaintext" }}
{{- end }}
{{- if include "fairlead.allocatorCredentialsSecret" . }}
{{- if not (include "fairlead.xdsCaSecret" .) }}
{{- fail "the allocation API's default protection uses Fairlead's own CA, which xds.plaintext or xds.tls.secretName turn off: set allocator.tls.secretName, or allocator.plaintext=true" }}
{{- end }}
{{- if .Values.allocator.token.secretName }}
{{- fail "allocator.token.secretName goes with allocator.tls.secretName or allocator.plaintext: by default Fairlead generates the token" }}
{{- end }}
{{- end }}
{{- if and .Values.xds.plaintext .Values.xds.tls.secretName }}
{{- fail "xds.plaintext excludes xds.tls.secretName: choose TLS or plaintext" }}
{{- end }}
{{- if and .Values.watchNamespaces .Values.watchNamespaceSelector }}
{{- fail "watchNamespaces and watchNamespaceSelector exclude each other: set one of them" }}
{{- end }}
{{- $code := int .Values.allocator.http.unallocatedStatusCode }}
{{- if not (or (eq $code 429) (and (ge $code 500) (le $code 599))) }}
{{- fail (printf "allocator.http.unallocatedStatusCode must be 429 or 500-599, not %v" .Values.allocator.http.unallocatedStatusCode) }}
{{- end }}
{{- end }}

{{/*
The Secret of Fairlead's own xDS CA, or "" when xDS is protected otherwise (a Secret of yours, or plaintext).
*/}}
{{- define "fairlead.xdsCaSecret" -}}
{{- if not (or .Values.xds.tls.secretName .Values.xds.plaintext) -}}
{{- .Values.xds.tls.caSecretName | default (printf "%s-xds-ca" (include "fairlead.fullname" .)) -}}
{{- end -}}
{{- end }}

{{/*
The Secret of the allocation API's generated token and CA certificate, or "" when it is protected otherwise.
*/}}
{{- define "fairlead.allocatorCredentialsSecret" -}}
{{- if not (or .Values.allocator.tls.secretName .Values.allocator.plaintext) -}}
{{- .Values.allocator.credentialsSecretName | default (printf "%s-allocator-credentials" (include "fairlead.fullname" .)) -}}
{{- end -}}
{{- end }}

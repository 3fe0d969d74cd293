{{/* Chart name, at most 63 characters. */}}
{{- define "chorus-dht.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release plus chart name unless the release already contains it. */}}
{{- define "chorus-dht.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* The headless Service that gives every pod a stable DNS name. */}}
{{- define "chorus-dht.headless" -}}
{{- printf "%s-peers" (include "chorus-dht.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "chorus-dht.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "chorus-dht.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "chorus-dht.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chorus-dht.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "chorus-dht.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The bootstrap address of pod 0, without /p2p: the peer id is learnt in the handshake. */}}
{{/* The stable libp2p address of pod <ordinal> (a number, or a shell variable) through the headless Service, without /p2p. */}}
{{- define "chorus-dht.podAddress" -}}
{{- $ := .ctx -}}
{{- printf "/dns4/%s-%s.%s.%s.svc.%s/tcp/%d" (include "chorus-dht.fullname" $) (toString .ordinal) (include "chorus-dht.headless" $) $.Release.Namespace $.Values.clusterDomain (int $.Values.p2p.port) }}
{{- end }}

{{- define "chorus-dht.roleKeysSecret" -}}
{{- default (printf "%s-role-keys" (include "chorus-dht.fullname" .)) .Values.roleKeys.existingSecret }}
{{- end }}

{{- define "chorus-dht.tokensSecret" -}}
{{- default (printf "%s-tokens" (include "chorus-dht.fullname" .)) .Values.apiTokens.existingSecret }}
{{- end }}

{{- define "chorus-dht.swarmKeySecret" -}}
{{- default (printf "%s-swarm-key" (include "chorus-dht.fullname" .)) .Values.swarmKey.existingSecret }}
{{- end }}

{{/* Where every pod reads the swarm key (chorus.dht.swarm-key-file). */}}
{{- define "chorus-dht.swarmKeyFile" -}}
/etc/chorus/swarm-key/swarm.key
{{- end }}

{{- define "chorus-dht.hasRoleKeys" -}}
{{- if or .Values.roleKeys.existingSecret .Values.roleKeys.keys }}true{{ end }}
{{- end }}

{{- define "chorus-dht.hasTokens" -}}
{{- if or .Values.apiTokens.existingSecret .Values.apiTokens.tokens }}true{{ end }}
{{- end }}

{{/*
application.yml: the user's .Values.config with the keys the chart owns laid over it, so ports,
paths and the mounts cannot disagree.
*/}}
{{- define "chorus-dht.applicationYaml" -}}
{{- $owned := dict
  "server" (dict "port" (int .Values.http.port))
  "chorus" (dict
    "data-dir" .Values.persistence.mountPath
    "dht" (dict "listen" (list (printf "/ip4/0.0.0.0/tcp/%d" (int .Values.p2p.port)))))
  "management" (dict "server" (dict "port" (int .Values.http.port))) -}}
{{- if .Values.roles }}
{{- $_ := set $owned.chorus "roles-file" "/etc/chorus/config/roles.yaml" }}
{{- end }}
{{- if include "chorus-dht.hasRoleKeys" . }}
{{- $_ := set $owned.chorus "role-keys-dir" "/etc/chorus/role-keys" }}
{{- end }}
{{- if .Values.swarmKey.enabled }}
{{- $_ := set $owned.chorus.dht "swarm-key-file" (include "chorus-dht.swarmKeyFile" .) }}
{{- end }}
{{- if include "chorus-dht.hasTokens" . }}
{{- $_ := set $owned "spring" (dict "config" (dict "import" "file:/etc/chorus/tokens/tokens.yml")) }}
{{- end }}
{{- toYaml (mustMergeOverwrite (deepCopy .Values.config) $owned) }}
{{- end }}

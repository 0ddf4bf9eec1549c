{{/* image: the global registry (kubegems' global values) wins over the chart's. */}}
{{- define "cml.image" -}}
{{- $registry := .image.registry -}}
{{- with .global.imageRegistry }}{{ $registry = . }}{{ end -}}
{{- printf "%s/%s:%s" $registry .image.repository .image.tag -}}
{{- end -}}
{{- define "cml.labels" -}}
app.kubernetes.io/name: cert-manager-lite
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

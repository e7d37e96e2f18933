// Parameters for main.bicep. Set baseName here. The bot's app id (and, without a
// certificate, its client secret) are read from the environment variables MicrosoftAppId and
// MicrosoftAppPassword (the names the bot itself reads) when you deploy, so the secret is
// never written in a file. With the certificate (preferred), set botCertificateName and
// appServicePrincipalId instead and leave MicrosoftAppPassword unset: see docs/deploy.md.
using './main.bicep'

param baseName = 'oakvalley-sp'
param botAppId = readEnvironmentVariable('MicrosoftAppId')
param botAppPassword = readEnvironmentVariable('MicrosoftAppPassword', '')
param botCertificateName = ''
param appServicePrincipalId = ''
param planSku = 'B1'
param botSku = 'F0'

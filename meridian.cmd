@echo off
rem Runs Meridian: no arguments opens the studio, otherwise the `meridian` command line
rem (meridian --help). Builds app\target\meridian.jar first when it is missing or older than
rem the sources, so a fresh clone needs only a JDK.
setlocal
set "ROOT=%~dp0"
if "%ROOT:~-1%"=="\" set "ROOT=%ROOT:~0,-1%"
set "JAR=%ROOT%\app\target\meridian.jar"

if not exist "%JAR%" goto build
rem Cheap staleness check: stop at the first source or build file newer than the jar.
powershell -NoProfile -NonInteractive -Command ^
  "$jar = (Get-Item -LiteralPath '%JAR%').LastWriteTimeUtc;" ^
  "$dirs = @(Get-ChildItem -LiteralPath '%ROOT%' -Directory) + @(Get-ChildItem -LiteralPath '%ROOT%\agent' -Directory -ErrorAction SilentlyContinue);" ^
  "$places = @(Join-Path '%ROOT%' 'pom.xml') + @($dirs | ForEach-Object { Join-Path $_.FullName 'src\main'; Join-Path $_.FullName 'pom.xml' });" ^
  "$newer = $places | Where-Object { Test-Path -LiteralPath $_ } | ForEach-Object { Get-ChildItem -LiteralPath $_ -Recurse -File -ErrorAction SilentlyContinue } | Where-Object { $_.LastWriteTimeUtc -gt $jar } | Select-Object -First 1;" ^
  "if ($newer) { exit 1 } else { exit 0 }"
if errorlevel 1 goto build
goto run

:build
echo meridian: building app\target\meridian.jar (first run or sources changed)... 1>&2
pushd "%ROOT%"
call mvnw.cmd -B -q -DskipTests package -pl app -am 1>&2
set "BUILD=%ERRORLEVEL%"
popd
if not "%BUILD%"=="0" exit /b %BUILD%

:run
set "JAVA_CMD=java"
if defined JAVA_HOME if exist "%JAVA_HOME%\bin\java.exe" set "JAVA_CMD=%JAVA_HOME%\bin\java.exe"
"%JAVA_CMD%" -jar "%JAR%" %*
exit /b %ERRORLEVEL%
